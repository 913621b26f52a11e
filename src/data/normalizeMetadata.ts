import type { Metadata } from './types.js';

/** Questionnaire scores with canonical names (SPEC §1). */
export const QUESTIONNAIRES = [
  'STICSA-T somatic',
  'STICSA-T cognitive',
  'STAI-S',
  'STAI-T',
  'IUS',
  'RRQ',
  'AUDIT',
  'DAST',
  'PSWQ',
  'GAD-7',
  'SDS',
  'OCI',
  'PHQ-9',
  'PHQ-8',
  'BAS Drive',
  'BAS Fun Seeking',
  'BAS Reward Responsiveness',
  'BDI-II',
  'BIS-11',
  'BIS-10',
] as const;

/** Every canonical metadata field, in the order used for personas and coverage tables. */
export const CANONICAL_FIELDS = ['age', 'gender', 'nationality', 'education', 'clinical diagnosis', 'RTs', ...QUESTIONNAIRES] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/** Known aliases (exact, case-sensitive: `stai` is STAI-T but `STAI` is STAI-S in the reference data). */
export const METADATA_ALIASES: Readonly<Record<string, CanonicalField>> = {
  sex: 'gender',
  location: 'nationality',
  diagnosis: 'clinical diagnosis',
  gad7: 'GAD-7',
  pswq: 'PSWQ',
  phq8: 'PHQ-8',
  PHQ: 'PHQ-9',
  oci_total: 'OCI',
  sds_total: 'SDS',
  stai: 'STAI-T',
  stai_total: 'STAI-T',
  STAI: 'STAI-S',
  STICSAsoma: 'STICSA-T somatic',
  STICSAcog: 'STICSA-T cognitive',
  audit_total: 'AUDIT',
  bis_total: 'BIS-10',
  bis: 'BIS-11',
  BIS: 'BIS-11',
  bas_drive: 'BAS Drive',
  bas_fun_seeking: 'BAS Fun Seeking',
  bas_reward_response: 'BAS Reward Responsiveness',
  'BDI-II score': 'BDI-II',
};

const CANONICAL_SET: ReadonlySet<string> = new Set(CANONICAL_FIELDS);
const QUESTIONNAIRE_SET: ReadonlySet<string> = new Set(QUESTIONNAIRES);
/** Fields of a transcript record that are not metadata. */
const RECORD_FIELDS = new Set(['text', 'experiment', 'participant', 'participant_reindexed', 'study']);

/** A metadata value that could not be understood: reported by validate, never fatal. */
export interface MetadataIssue {
  field: string;
  message: string;
}

export interface NormalizedMetadata {
  metadata: Metadata;
  extras: Record<string, unknown>;
  issues: MetadataIssue[];
}

/** Values that mean "missing" in the reference data and the Hugging Face release. */
export function isMissing(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return Number.isNaN(v);
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    return s === '' || s === 'n/a' || s === 'nan' || s === 'na' || s === 'none' || s === 'null';
  }
  return false;
}

export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const FEMALE = new Set(['f', 'female', 'woman', 'w', 'weiblich', 'frau', 'girl']);
const MALE = new Set(['m', 'male', 'man', 'männlich', 'mann', 'boy']);

export function normalizeGender(v: string): 'female' | 'male' | 'other' {
  const s = v.trim().toLowerCase();
  if (FEMALE.has(s)) return 'female';
  if (MALE.has(s)) return 'male';
  return 'other';
}

/**
 * Set an own property even for keys like `__proto__` (plain assignment would change the object's prototype instead).
 * Data keys can be anything; this keeps every one of them.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The canonical field a record key names, looked up as an own key only (`constructor` is not an alias). */
function canonicalFieldOf(key: string): CanonicalField | undefined {
  if (Object.hasOwn(METADATA_ALIASES, key)) return METADATA_ALIASES[key];
  return CANONICAL_SET.has(key) ? (key as CanonicalField) : undefined;
}

/** Map a record's fields onto canonical metadata; unknown fields are kept in `extras`. */
export function normalizeMetadata(record: Record<string, unknown>): NormalizedMetadata {
  const metadata: Metadata = {};
  const extras: Record<string, unknown> = {};
  const issues: MetadataIssue[] = [];
  for (const [rawKey, value] of Object.entries(record)) {
    if (RECORD_FIELDS.has(rawKey)) continue;
    const field = canonicalFieldOf(rawKey);
    if (field === undefined) {
      if (!isMissing(value)) setOwn(extras, rawKey, value);
      continue;
    }
    if (isMissing(value)) continue;
    const bad = (expected: string): void => {
      issues.push({ field: rawKey, message: `metadata '${rawKey}' should be ${expected}, found ${JSON.stringify(value)?.slice(0, 60)}` });
    };
    switch (field) {
      case 'age': {
        const n = toNumber(value);
        if (n === undefined) bad('a number');
        else metadata.age = n;
        break;
      }
      case 'gender':
        if (typeof value === 'string') metadata.gender = normalizeGender(value);
        else bad('a string');
        break;
      case 'nationality':
      case 'education':
      case 'clinical diagnosis':
        metadata[field] = typeof value === 'string' ? value : JSON.stringify(value);
        break;
      case 'RTs': {
        if (!Array.isArray(value)) {
          bad('a list of numbers');
          break;
        }
        const rts: number[] = [];
        let unparsable = 0;
        for (const x of value) {
          const n = isMissing(x) ? Number.NaN : toNumber(x);
          if (n === undefined) unparsable++;
          rts.push(n ?? Number.NaN);
        }
        if (unparsable > 0) issues.push({ field: rawKey, message: `${unparsable} RTs are not numbers` });
        metadata.RTs = rts;
        break;
      }
      default: {
        if (!QUESTIONNAIRE_SET.has(field)) break;
        const n = toNumber(value);
        if (n === undefined) bad('a number');
        else (metadata.scores ??= {})[field] = n;
      }
    }
  }
  return { metadata, extras, issues };
}

/** Value of a canonical field in normalised metadata, or undefined. */
export function metadataValue(m: Metadata, field: CanonicalField): unknown {
  if (QUESTIONNAIRE_SET.has(field)) return m.scores?.[field];
  return (m as Record<string, unknown>)[field];
}
