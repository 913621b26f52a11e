import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { DataError, UsageError } from '../errors.js';
import { ensureDir, outputWriteError } from '../util/outputFiles.js';
import { isSafeStudyName } from './parseRecord.js';
import { participantKey } from './participantKey.js';
import { type ReadOptions, readTranscripts } from './readTranscripts.js';
import { SPLIT_MANIFEST, type SplitManifest } from './splitManifest.js';
import { chooseTestSet, type ParticipantId } from './splitRule.js';

export interface SplitResult {
  outDir: string;
  manifest: SplitManifest;
  written: number;
  /** Records left out of the output because they are not transcripts (see `humanlike validate`). */
  skipped: number;
  skippedFiles: string[];
}

/** The rule, in words, stored in the manifest so a reader knows how the split was made. */
export const SPLIT_RULE =
  'per study: min(floor(10% of participants), 100) participants with the smallest sha256(seed, study, experiment, participant)';

async function assertWritableOutput(outDir: string): Promise<void> {
  const names = await readdir(outDir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw new UsageError(`${outDir}: cannot be used as the --out folder (${e.code === 'ENOTDIR' ? 'it is a file' : e.message})`);
  });
  if (names.length > 0 && !names.includes(SPLIT_MANIFEST)) {
    throw new UsageError(`${outDir}: exists and is not empty; choose a new --out folder (split only overwrites its own earlier output)`);
  }
}

/**
 * Write a held-out split of a source as a dataset folder: `<out>/<study>/prompts.jsonl` (each record's line as it
 * was read, so validation gives the same positions' problems) and `<out>/humanlike-split.json` naming the test
 * participants. Every command reads this folder; `--test-only` / `--train-only` select a side.
 *
 * The split is written whole into a temporary folder beside `<out>` and renamed into place, so re-running it into an
 * earlier output replaces that output entirely (a study left out this time cannot keep a stale folder whose held-out
 * participants would then read as training data), and a split that fails part-way leaves the earlier one untouched.
 */
export async function writeSplit(path: string, outDir: string, seed: number, options: ReadOptions = {}): Promise<SplitResult> {
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, found ${seed}`);
  const root = resolve(outDir);
  await assertWritableOutput(root);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = join(dirname(root), `.${basename(root)}.tmp-${tag}`);
  await ensureDir(dirname(root));
  try {
    const result = await writeSplitInto(path, temp, root, seed, options);
    await replaceFolder(root, temp, join(dirname(root), `.${basename(root)}.old-${tag}`));
    return result;
  } catch (e) {
    // A write that failed (no room, no permission, a name the file system refuses) names the output, in one line.
    throw outputWriteError(root, e);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Rename `fresh` to `target`, moving an existing `target` aside first and deleting it once the new one is in place. */
async function replaceFolder(target: string, fresh: string, aside: string): Promise<void> {
  const hadOld = await rename(target, aside).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );
  try {
    await rename(fresh, target);
  } catch (e) {
    if (hadOld) await rename(aside, target);
    throw e;
  }
  if (hadOld) await rm(aside, { recursive: true, force: true });
}

/** Both passes of the split, written into `dir`; `root` is where the result will live (named in the result). */
async function writeSplitInto(path: string, dir: string, root: string, seed: number, options: ReadOptions): Promise<SplitResult> {
  const skippedFiles: string[] = [];
  const onFileError = (file: string): void => void skippedFiles.push(file);
  const readOptions: ReadOptions = { ...options, select: 'all', onFileError };

  // Pass 1: participant ids per study (ids only: memory grows with participants, not with text).
  const ids = new Map<string, ParticipantId[]>();
  for await (const { transcript: t } of readTranscripts(path, readOptions)) {
    if (!t || !isSafeStudyName(t.study)) continue;
    let list = ids.get(t.study);
    if (!list) ids.set(t.study, (list = []));
    list.push({ experiment: t.experiment, participant: t.participant });
  }
  const manifest: SplitManifest = { format: 'humanlike-split', version: 1, seed, rule: SPLIT_RULE, studies: {} };
  for (const [study, list] of [...ids].sort(([a], [b]) => (a < b ? -1 : 1))) {
    manifest.studies[study] = { participants: new Set(list.map(participantKey)).size, test: chooseTestSet(seed, study, list) };
  }

  // Pass 2: copy the records, one file per study.
  await mkdir(dir, { recursive: true });
  const streams = new Map<string, WriteStream>();
  // The first failed write of any study file (a full disk, a file-size limit); checked after each write and at the end.
  let writeError: unknown;
  let written = 0;
  let skipped = 0;
  skippedFiles.length = 0;
  try {
    for await (const parsed of readTranscripts(path, readOptions)) {
      const t = parsed.transcript;
      if (!t || !isSafeStudyName(t.study)) {
        skipped++;
        continue;
      }
      let out = streams.get(t.study);
      if (!out) {
        const studyDir = join(dir, t.study);
        if (!resolve(studyDir).startsWith(dir + sep))
          throw new DataError(`study name ${JSON.stringify(t.study)} would write outside ${root}`);
        await mkdir(studyDir, { recursive: true });
        out = createWriteStream(join(studyDir, 'prompts.jsonl'));
        out.on('error', (e) => void (writeError ??= e));
        streams.set(t.study, out);
      }
      const line = parsed.record.json ?? JSON.stringify(parsed.record.object);
      // Checked before writing: a stream that failed emits no 'drain', so waiting for one would hang.
      if (writeError !== undefined) throw writeError;
      if (!out.write(line + '\n')) await once(out, 'drain');
      written++;
    }
  } finally {
    await Promise.all([...streams.values()].map((s) => new Promise<void>((done) => s.end(done))));
  }
  if (writeError !== undefined) throw writeError;
  await writeFile(join(dir, SPLIT_MANIFEST), JSON.stringify(manifest, null, 1) + '\n');
  return { outDir: root, manifest, written, skipped, skippedFiles };
}
