import { applyReferenceSubstitutions } from '../prompts/referencePreset.js';
import { sliceCodePoints } from '../util/sliceCodePoints.js';
import { normalizeMetadata } from './normalizeMetadata.js';
import { parseTranscript } from './parseTranscript.js';
import { inspectJsonShape, locateInJsonString, replacePythonLiterals, scanJson } from './scanJson.js';
import type { Problem, ProblemCode, RawRecord, Severity, Transcript } from './types.js';

/** Options for turning raw records into transcripts. */
export interface ParseOptions {
  /** A transcript text longer than this many characters is an error. Default 1,000,000. */
  maxTextChars?: number;
  /**
   * The reference policy: validate the text after the paper's four substitutions (so `More Details >>` is repaired
   * before it counts as an unbalanced marker), and let an empty response `<<>>` be a span (skipped when scoring).
   */
  reference?: boolean;
}

export const DEFAULT_MAX_TEXT_CHARS = 1_000_000;

/**
 * Deepest nesting of objects and arrays a record may have (fixed; real records nest 2 or 3 levels). Anything
 * recursive, JSON.stringify included, overflows the stack a few thousand levels down.
 */
export const MAX_JSON_DEPTH = 256;

export interface ParsedRecord {
  /** Present when the record has usable text, experiment and participant (it may still carry errors). */
  transcript: Transcript | undefined;
  problems: Problem[];
  /** True when any problem of this record is an error: scoring skips such records. */
  hasErrors: boolean;
  /** The record as read, for writers that copy records verbatim. */
  record: RawRecord;
}

/** Longest folder name, in UTF-8 bytes, that file systems hold (ext4, APFS, NTFS: 255). */
export const MAX_STUDY_NAME_BYTES = 255;

/** A study name that is safe to use as a folder name (it came from the data, e.g. a Parquet column). */
export function isSafeStudyName(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !/[\\/\0]/.test(s) && Buffer.byteLength(s, 'utf8') <= MAX_STUDY_NAME_BYTES;
}

type AddProblem = (severity: Severity, code: ProblemCode, column: number, message: string) => void;

/**
 * Decode one JSON line, accepting Python's NaN/Infinity with a warning. Returns undefined (its problems added) for a
 * blank line, a line that is not JSON, or one nested too deep for the rest of the pipeline.
 */
function decodeJsonLine(json: string, add: AddProblem): { value: unknown } | undefined {
  if (json.trim() === '') {
    add('warning', 'blank-line', 1, 'blank line (skipped)');
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    const scan = scanJson(json);
    if (scan.errorAt >= 0) {
      const near = JSON.stringify(json.slice(scan.errorAt, scan.errorAt + 20));
      add('error', 'invalid-json', scan.errorAt + 1, `invalid JSON: expected ${scan.expected}, found ${near}`);
      return undefined;
    }
    for (const p of scan.pythonLiterals) {
      add('warning', 'python-nan', p + 1, 'Python literal (NaN/Infinity) is not JSON; read as missing');
    }
    value = JSON.parse(replacePythonLiterals(json, scan.pythonLiterals));
  }
  const shape = inspectJsonShape(json, MAX_JSON_DEPTH);
  if (shape.tooDeepAt >= 0) {
    add('error', 'json-too-deep', shape.tooDeepAt + 1, `JSON nested more than ${MAX_JSON_DEPTH} levels deep`);
    return undefined;
  }
  for (const d of shape.duplicates) {
    add('warning', 'duplicate-key', d.at + 1, `key ${JSON.stringify(d.key)} appears more than once in its object; the last value is used`);
  }
  return { value };
}

/** Parse and check one raw record. Never throws on bad data: every problem is returned with its position. */
export function parseRecord(raw: RawRecord, options: ParseOptions = {}): ParsedRecord {
  const { file, line } = raw.location;
  const problems: Problem[] = [];
  const add: AddProblem = (severity, code, column, message) => {
    problems.push({ severity, code, file, line, column, message });
  };
  const done = (transcript: Transcript | undefined): ParsedRecord => {
    return { transcript, problems, hasErrors: problems.some((p) => p.severity === 'error'), record: raw };
  };

  if (raw.problem) {
    add('error', raw.problem.code, raw.problem.column, raw.problem.message);
    return done(undefined);
  }
  let object: unknown = raw.object;
  if (raw.json !== undefined) {
    const decoded = decodeJsonLine(raw.json, add);
    if (!decoded) return done(undefined);
    object = decoded.value;
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    add('error', 'wrong-type', 1, 'expected a JSON object per line');
    return done(undefined);
  }
  const record = object as Record<string, unknown>;
  const keyColumn = (key: string): number => {
    if (raw.json === undefined) return 1;
    const at = raw.json.indexOf(JSON.stringify(key));
    return at >= 0 ? at + 1 : 1;
  };

  if (raw.object !== undefined && (raw.object['study'] === null || raw.object['study'] === undefined)) {
    add('error', 'missing-field', 1, "missing required field 'study' (NULL in the Parquet file)");
    return done(undefined);
  }
  if (!isSafeStudyName(raw.study)) {
    add(
      'error',
      'unsafe-study-name',
      1,
      `study name ${JSON.stringify(raw.study.length > 80 ? `${sliceCodePoints(raw.study, 80)}…` : raw.study)} cannot be a folder name (empty, '..', a slash, or over ${MAX_STUDY_NAME_BYTES} bytes)`,
    );
  }
  const text = record['text'];
  if (text === undefined || text === null) add('error', 'missing-field', 1, "missing required field 'text'");
  else if (typeof text !== 'string') add('error', 'wrong-type', keyColumn('text'), `'text' should be a string, found ${typeof text}`);
  const experiment = record['experiment'];
  if (experiment === undefined || experiment === null) add('error', 'missing-field', 1, "missing required field 'experiment'");
  else if (typeof experiment !== 'string')
    add('error', 'wrong-type', keyColumn('experiment'), `'experiment' should be a string, found ${typeof experiment}`);
  const participant = record['participant'];
  if (participant === undefined || participant === null) add('error', 'missing-field', 1, "missing required field 'participant'");
  else if (typeof participant !== 'string' && !(typeof participant === 'number' && Number.isFinite(participant))) {
    add(
      'error',
      'wrong-type',
      keyColumn('participant'),
      `'participant' should be a string or a number, found ${Array.isArray(participant) ? 'array' : typeof participant === 'number' ? `${participant} (a number too large for a double, e.g. 1e400)` : typeof participant}`,
    );
  }
  if (typeof text !== 'string' || typeof experiment !== 'string' || (typeof participant !== 'string' && typeof participant !== 'number')) {
    return done(undefined);
  }
  // An empty id is most likely a lost value: the record is read (alone it is a participant like any other), but said.
  for (const [field, value] of [
    ['experiment', experiment],
    ['participant', String(participant)],
  ] as const) {
    if (value.trim() === '') add('warning', 'empty-id', keyColumn(field), `'${field}' is empty: is the id missing? (the record is read)`);
  }

  const textColumn = (offset: number): number => {
    if (raw.json === undefined) return offset + 1;
    const col = locateInJsonString(raw.json, 'text', offset);
    return col >= 0 ? col + 1 : 1;
  };
  const validated = options.reference ? applyReferenceSubstitutions(text) : text;
  const parsed = parseTranscript(validated, { allowEmpty: options.reference === true });
  // Columns point into the text as read only when the substitutions changed nothing before them; near enough.
  for (const p of parsed.problems) add(p.severity, p.code, textColumn(p.offset), p.message);
  if (parsed.spans.length === 0 && !parsed.problems.some((p) => p.severity === 'error')) {
    add('error', 'no-responses', keyColumn('text'), 'transcript has no response wrapped in << >>');
  }
  const maxChars = options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  if (text.length > maxChars) {
    add(
      'error',
      'text-too-long',
      keyColumn('text'),
      `text has ${text.length} characters, over the limit of ${maxChars} (--max-text-chars)`,
    );
  }

  const { metadata, extras, issues } = normalizeMetadata(record);
  for (const issue of issues) add('warning', 'metadata-type', keyColumn(issue.field), issue.message);
  // A typo in the age must not cost the transcript (the raw format never reads age): drop the field and warn, so a
  // persona never states it.
  if (metadata.age !== undefined && (metadata.age < 0 || metadata.age > 120)) {
    add(
      'warning',
      'implausible-metadata',
      keyColumn('age'),
      `age ${metadata.age} is outside 0-120; the field is left out (the record is kept)`,
    );
    delete metadata.age;
  }
  // RTs that do not pair one-to-one with the responses cannot be attached to any of them; the responses themselves
  // are sound, so only the RTs go (as with the age above).
  if (metadata.RTs !== undefined && metadata.RTs.length !== parsed.spans.length) {
    add(
      'warning',
      'rt-length-mismatch',
      keyColumn('RTs'),
      `RTs has ${metadata.RTs.length} entries but the transcript has ${parsed.spans.length} responses; the RTs are left out (the record is kept)`,
    );
    delete metadata.RTs;
  }
  const transcript: Transcript = {
    study: raw.study,
    experiment,
    participant: String(participant),
    text: validated,
    spans: parsed.spans,
    ...(validated !== text && { sourceText: text }),
    metadata,
    extras,
    location: raw.location,
  };
  if (raw.split) transcript.split = raw.split;
  return done(transcript);
}
