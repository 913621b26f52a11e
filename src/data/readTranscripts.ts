import { DataError, UsageError } from '../errors.js';
import { type ParsedRecord, type ParseOptions, parseRecord } from './parseRecord.js';
import { participantKey } from './participantKey.js';
import { type ResolvedSource, readRawRecords, resolveSource, type SourceFile, type SourceOptions } from './readSource.js';
import { chooseTestSet, type ParticipantId } from './splitRule.js';
import type { SplitSide } from './types.js';

/** Which participants of a source to read. */
export const SELECTIONS = ['all', 'train', 'test'] as const satisfies readonly ('all' | SplitSide)[];
export type Selection = (typeof SELECTIONS)[number];

export interface ReadOptions extends SourceOptions, ParseOptions {
  /** Default 'all'. 'train'/'test' need a split manifest in the source folder, or `splitSeed`. */
  select?: Selection;
  /** Compute the split on the fly with this seed when the source has no manifest. */
  splitSeed?: number;
  /** Test sets already computed (loadTestSets): readers that pass over a source several times split it once. */
  testSets?: TestSets;
  /**
   * Called when a whole file cannot be read (corrupt or unsafe archive, unreadable Parquet); reading goes on with
   * the next file. Without it, the DataError is thrown.
   */
  onFileError?: (file: string, error: DataError) => void;
}

/** Test-set membership per study: study → set of participant keys. */
export type TestSets = Map<string, Set<string>>;

function toSets(entries: Iterable<[string, ParticipantId[]]>): TestSets {
  const sets: TestSets = new Map();
  for (const [study, ids] of entries) sets.set(study, new Set(ids.map(participantKey)));
  return sets;
}

/** Compute the test sets of a source by reading it once (participant ids only are kept). */
export async function computeTestSets(source: ResolvedSource, seed: number, options: ReadOptions = {}): Promise<TestSets> {
  const ids = new Map<string, ParticipantId[]>();
  for await (const raw of readRawRecords(source, options)) {
    const { transcript } = parseRecord(raw, options);
    if (!transcript) continue;
    let list = ids.get(transcript.study);
    if (!list) ids.set(transcript.study, (list = []));
    list.push({ experiment: transcript.experiment, participant: transcript.participant });
  }
  return toSets([...ids].map(([study, list]) => [study, chooseTestSet(seed, study, list)]));
}

async function resolveTestSets(source: ResolvedSource, options: ReadOptions): Promise<TestSets | undefined> {
  if (options.testSets) return options.testSets;
  const select = options.select ?? 'all';
  if (select === 'all' && !source.manifest && options.splitSeed === undefined) return undefined;
  if (source.manifest) return toSets(Object.entries(source.manifest.studies).map(([s, v]) => [s, v.test]));
  if (options.splitSeed === undefined) {
    throw new UsageError(`${source.root}: has no split manifest; run 'humanlike split' first, or pass --split-seed N to split on the fly`);
  }
  return computeTestSets(source, options.splitSeed, options);
}

/** The test sets a read of `path` with these options uses (undefined when it reads no split). */
export async function loadTestSets(path: string, options: ReadOptions = {}): Promise<TestSets | undefined> {
  return resolveTestSets(await resolveSource(path, options), options);
}

/** Why a file gave no records, or undefined where that is expected (a Parquet file without the studies asked for). */
function nothingToRead(kind: SourceFile['kind'], filtered: boolean): string | undefined {
  if (kind === 'zip') return 'nothing to read: no records in .jsonl entries (other entries, nested .zip archives included, are not read)';
  if (kind === 'parquet') return filtered ? undefined : 'nothing to read: the file has no rows';
  return 'nothing to read: the file is empty';
}

/**
 * Stream every record of a source as a parsed transcript with its problems. With `select`, only that side of the
 * split is yielded (records that cannot be parsed are still yielded so their problems are counted).
 */
export async function* readTranscripts(path: string, options: ReadOptions = {}): AsyncGenerator<ParsedRecord> {
  const source = await resolveSource(path, options);
  const testSets = await resolveTestSets(source, options);
  const select = options.select ?? 'all';
  for (const file of source.files) {
    try {
      let records = 0;
      for await (const raw of readRawRecords({ ...source, files: [file] }, options)) {
        records++;
        const parsed = parseRecord(raw, options);
        const t = parsed.transcript;
        if (t && testSets) {
          t.split = testSets.get(t.study)?.has(participantKey(t)) ? 'test' : 'train';
          if (select !== 'all' && t.split !== select) continue;
        }
        yield parsed;
      }
      const why = records === 0 ? nothingToRead(file.kind, options.studies !== undefined) : undefined;
      if (why) options.onFileWarning?.(file.path, why);
    } catch (e) {
      if (!(e instanceof DataError) || !options.onFileError) throw e;
      options.onFileError(file.path, e);
    }
  }
}
