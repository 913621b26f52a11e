import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DataError, UsageError } from '../errors.js';
import { assertRegularFile } from '../util/readUserFile.js';
import { DEFAULT_MAX_TEXT_CHARS, type ParseOptions } from './parseRecord.js';
import { readParquetRecords, readParquetStudies } from './readParquet.js';
import { isIgnoredEntry, readZipEntries, type ZipLimits } from './readZipEntries.js';
import { type SplitLine, splitLines } from './splitLines.js';
import { readSplitManifest, type SplitManifest } from './splitManifest.js';
import type { RawRecord } from './types.js';

/** How to read a source (a folder, a .jsonl/.jsonl.zip file, Parquet files). */
export interface SourceOptions extends ZipLimits {
  /** Only studies whose name is listed (default: all). */
  studies?: readonly string[];
  /**
   * Read the listed studies the source holds and ignore the others (callers that take the list from a results store,
   * not from a user: export --text, report examples). Default false: an unknown name is a usage error.
   */
  ignoreMissingStudies?: boolean;
  /**
   * A longer line is skipped to its newline, never held in memory, and reported `line-too-long`. Default
   * `maxLineBytesFor(maxTextChars)`: 8 × --max-text-chars + 1 MiB.
   */
  maxLineBytes?: number;
  /**
   * Called with a message when a file, or a `.jsonl` entry of a zip whose other entries hold records, has nothing to
   * read (empty, or a zip without `.jsonl` entries).
   */
  onFileWarning?: (file: string, message: string) => void;
}

/**
 * The longest line worth reading for a text limit: a text at the limit may take up to 6 bytes per character in
 * JSON (`\uXXXX`), and a record carries metadata besides (1 MiB of it is plenty: RTs, scores).
 */
export function maxLineBytesFor(maxTextChars: number): number {
  return 8 * maxTextChars + 1024 * 1024;
}

/** One input file of a source, with the study it belongs to. */
export interface SourceFile {
  study: string;
  path: string;
  kind: 'jsonl' | 'zip' | 'parquet';
}

/** A resolved source: the files to read, in a deterministic order, and the split manifest if the folder has one. */
export interface ResolvedSource {
  root: string;
  files: SourceFile[];
  manifest: SplitManifest | undefined;
}

const isHidden = (name: string): boolean => name.startsWith('.') || name === '__MACOSX';

function kindOf(name: string): SourceFile['kind'] | undefined {
  if (name.endsWith('.parquet')) return 'parquet';
  if (name.endsWith('.zip')) return 'zip';
  if (name.endsWith('.jsonl')) return 'jsonl';
  return undefined;
}

/** Study name of a single file: its folder for `prompts.jsonl(.zip)`, else the file name without extensions. */
function studyOfFile(path: string): string {
  const name = basename(path);
  if (name === 'prompts.jsonl' || name === 'prompts.jsonl.zip') {
    const parent = basename(join(path, '..'));
    if (parent !== '' && parent !== '.') return parent;
  }
  return name.replace(/(\.jsonl)?(\.zip)?$/, '');
}

/** A file system failure on a path of the source, as one line naming it (a dangling link, a folder without permission). */
function unreadablePath(path: string, e: unknown): DataError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'nothing is there: a dangling symbolic link?'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : (e as Error).message;
  return new DataError(`${path}: cannot read (${why})`, { cause: e });
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: unknown) => {
    throw unreadablePath(dir, e);
  });
  return entries
    .filter((e) => !isHidden(e.name))
    .map((e) => e.name)
    .sort();
}

/** Whether a name in a folder of studies is a study folder (a link is followed; one that leads nowhere is an error). */
async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (e) {
    throw unreadablePath(path, e);
  }
}

/** The data files of one study folder: prompts.jsonl, else prompts.jsonl.zip, else every *.jsonl and *.zip. */
async function studyFiles(dir: string, study: string): Promise<SourceFile[]> {
  const names = await listFiles(dir);
  const pick = names.includes('prompts.jsonl')
    ? ['prompts.jsonl']
    : names.includes('prompts.jsonl.zip')
      ? ['prompts.jsonl.zip']
      : names.filter((n) => n.endsWith('.jsonl') || n.endsWith('.zip'));
  return pick.map((n) => ({ study, path: join(dir, n), kind: kindOf(n) ?? 'jsonl' }));
}

/** Parquet files of a Hugging Face release folder (top level or `data/`), or an empty list. */
async function parquetFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const sub of ['', 'data']) {
    const d = join(dir, sub);
    const names = await listFiles(d).catch(() => [] as string[]);
    for (const n of names) if (n.endsWith('.parquet')) found.push(join(d, n));
  }
  return found;
}

/** Work out which files a source path means. Throws a DataError naming the path when it means nothing readable. */
export async function resolveSource(path: string, options: SourceOptions = {}): Promise<ResolvedSource> {
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new DataError(`${path}: ${e.code === 'ENOENT' ? 'no such file or folder' : e.message}`, { cause: e });
  });
  let files: SourceFile[] = [];
  let manifest: SplitManifest | undefined;
  if (!info.isFile() && !info.isDirectory())
    throw new DataError(`${path}: not a regular file or a folder (a FIFO or device cannot be read as a dataset)`);
  if (info.isFile()) {
    const kind = kindOf(path);
    if (!kind) throw new DataError(`${path}: expected a .jsonl, .jsonl.zip or .parquet file, or a dataset folder`);
    files = [{ study: kind === 'parquet' ? '' : studyOfFile(path), path, kind }];
  } else {
    manifest = await readSplitManifest(path);
    const parquet = await parquetFiles(path);
    const names = await listFiles(path);
    if (parquet.length > 0) {
      files = parquet.map((p) => ({ study: '', path: p, kind: 'parquet' as const }));
    } else if (names.includes('prompts.jsonl') || names.includes('prompts.jsonl.zip')) {
      files = await studyFiles(path, basename(path));
    } else {
      for (const n of names) {
        const sub = join(path, n);
        if (await isFolder(sub)) files.push(...(await studyFiles(sub, n)));
      }
    }
    if (files.length === 0) {
      throw new DataError(
        `${path}: no study found (expected study folders holding prompts.jsonl or prompts.jsonl.zip, .jsonl/.zip files, or Parquet files)`,
      );
    }
  }
  if (options.studies) {
    if (!options.ignoreMissingStudies) await assertStudiesExist(path, files, options.studies);
    const wanted = new Set(options.studies);
    files = files.filter((f) => f.kind === 'parquet' || wanted.has(f.study));
  }
  return { root: path, files, manifest };
}

/** Refuse `--study` names the source does not hold (a typo would otherwise read nothing, or less than asked). */
async function assertStudiesExist(path: string, files: readonly SourceFile[], studies: readonly string[]): Promise<void> {
  const held = new Set<string>();
  for (const f of files) {
    if (f.kind !== 'parquet') held.add(f.study);
    else for (const s of await readParquetStudies(f.path)) held.add(s);
  }
  const missing = studies.filter((s) => !held.has(s));
  if (missing.length === 0) return;
  const names = [...held].sort();
  throw new UsageError(
    `no such ${missing.length === 1 ? 'study' : 'studies'}: ${missing.join(', ')} (${path} holds ${names.length} ${names.length === 1 ? 'study' : 'studies'}: ${names.join(', ')})`,
  );
}

/** A raw record of one line: its text, or the problem that kept it from being read. */
function lineRecord(study: string, file: string, line: number, read: SplitLine): RawRecord {
  const raw: RawRecord = { study, location: { file, line }, json: read.text };
  if (read.problem) raw.problem = read.problem;
  return raw;
}

/**
 * Stream the raw records of a resolved source, file by file and line by line. Memory holds one line at a time, and
 * at most `maxLineBytes` of it.
 */
export async function* readRawRecords(source: ResolvedSource, options: SourceOptions & ParseOptions = {}): AsyncGenerator<RawRecord> {
  const wanted = options.studies ? new Set(options.studies) : undefined;
  const lines = { maxLineBytes: options.maxLineBytes ?? maxLineBytesFor(options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS) };
  for (const file of source.files) {
    await assertRegularFile(file.path);
    if (file.kind === 'parquet') {
      for await (const r of readParquetRecords(file.path)) if (!wanted || wanted.has(r.study)) yield r;
      continue;
    }
    if (file.kind === 'jsonl') {
      const stream = createReadStream(file.path);
      let line = 0;
      try {
        for await (const read of splitLines(stream, lines)) yield lineRecord(file.study, file.path, ++line, read);
      } catch (e) {
        throw new DataError(`${file.path}: cannot read (${(e as Error).message})`, { cause: e });
      }
      continue;
    }
    // An empty entry beside entries with records is named; a zip with no records at all gets one warning (the reader's).
    const empty: string[] = [];
    let records = 0;
    for await (const entry of readZipEntries(file.path, (n) => n.endsWith('.jsonl') && !isIgnoredEntry(n), options)) {
      let line = 0;
      const where = `${file.path}!${entry.name}`;
      for await (const read of splitLines(entry.stream, lines)) yield lineRecord(file.study, where, ++line, read);
      if (line === 0) empty.push(where);
      records += line;
    }
    if (records > 0) for (const where of empty) options.onFileWarning?.(where, 'nothing to read: the entry is empty');
  }
}
