/** Where a record came from: a file (a zip entry is `archive.zip!entry.jsonl`) and a 1-based line (row for Parquet). */
export interface SourceLocation {
  file: string;
  line: number;
}

/** One record as read from disk, before parsing: a JSON line, or an object already decoded (Parquet). */
export interface RawRecord {
  study: string;
  location: SourceLocation;
  /** The raw JSON line (jsonl sources). */
  json?: string;
  /** An already-decoded object (Parquet sources). */
  object?: Record<string, unknown>;
  /** Split membership when the source carries a split manifest. */
  split?: SplitSide;
  /** Why the line could not be read as text (too long, not UTF-8); `json` is then empty and not used. */
  problem?: ReadProblem;
}

/** A line that could not be read as text: reported as an error at its line; the record is not a transcript. */
export interface ReadProblem {
  code: 'line-too-long' | 'invalid-utf8';
  /** 1-based column (a byte column for invalid-utf8). */
  column: number;
  message: string;
}

export type SplitSide = 'train' | 'test';

/** A human response: the characters strictly inside `<<` and `>>`, as UTF-16 offsets into the transcript text. */
export interface ResponseSpan {
  /** Offset of the first content character (just after `<<`). */
  start: number;
  /** Offset just past the last content character (the position of `>>`). */
  end: number;
}

/** Canonical metadata (SPEC §1). Missing fields are absent, never null. */
export interface Metadata {
  age?: number;
  gender?: 'female' | 'male' | 'other';
  nationality?: string;
  education?: string;
  'clinical diagnosis'?: string;
  /** Reaction times in ms, one per response. */
  RTs?: number[];
  /** Questionnaire scores under canonical names (STAI-T, PHQ-9, ...). */
  scores?: Record<string, number>;
}

/** One participant's session, parsed. */
export interface Transcript {
  study: string;
  experiment: string;
  /** Participant id as a string (numbers in the source are stringified). */
  participant: string;
  text: string;
  spans: ResponseSpan[];
  /**
   * The text as read, when the reference policy's substitutions changed it (`text` is then the substituted text the
   * spans index): the reference preset cuts this one, as the paper cuts before substituting.
   */
  sourceText?: string;
  metadata: Metadata;
  /** Fields that are not canonical, kept as they were. */
  extras: Record<string, unknown>;
  location: SourceLocation;
  split?: SplitSide;
}

export type Severity = 'error' | 'warning';

/** A problem found while reading or validating, with its position (1-based line and column). */
export interface Problem {
  severity: Severity;
  code: ProblemCode;
  file: string;
  line: number;
  column: number;
  message: string;
}

export type ProblemCode =
  | 'invalid-json'
  | 'python-nan'
  | 'blank-line'
  | 'missing-field'
  | 'wrong-type'
  | 'unbalanced-marker'
  | 'nested-marker'
  | 'empty-response'
  | 'marker-misuse'
  | 'rt-length-mismatch'
  | 'duplicate-participant'
  | 'empty-id'
  | 'no-responses'
  | 'text-too-long'
  | 'implausible-metadata'
  | 'metadata-type'
  | 'marker-glued'
  | 'marker-newline'
  | 'unsafe-archive'
  | 'unsafe-study-name'
  | 'unreadable-file'
  | 'line-too-long'
  | 'invalid-utf8'
  | 'json-too-deep'
  | 'duplicate-key'
  | 'nothing-to-read';
