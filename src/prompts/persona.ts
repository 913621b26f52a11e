import { CANONICAL_FIELDS, type CanonicalField, metadataValue } from '../data/normalizeMetadata.js';
import type { Metadata } from '../data/types.js';
import { pythonFloatString } from '../util/pythonFloatString.js';

/** The interview questions of the reference persona prompt, in its order. RTs are not asked about. */
export const PERSONA_QUESTIONS: readonly [CanonicalField, string][] = CANONICAL_FIELDS.filter((f) => f !== 'RTs').map((f) => [
  f,
  f === 'age'
    ? 'What is your age?'
    : f === 'gender'
      ? 'What is your gender?'
      : f === 'nationality'
        ? 'What is your nationality?'
        : f === 'education'
          ? 'What is your highest level of education?'
          : f === 'clinical diagnosis'
            ? 'Do you have any clinical diagnoses?'
            : `What is your ${f} score?`,
]);

/** Whether a participant has any metadata a persona could state. */
export function hasPersonaMetadata(m: Metadata): boolean {
  return PERSONA_QUESTIONS.some(([f]) => metadataValue(m, f) !== undefined);
}

/**
 * The persona prefix: for each available field, `Interviewer: <question>` / `Interviewee: <value>` and a blank line,
 * as in the reference; the transcript follows it directly.
 */
export function personaPrefix(m: Metadata, style: 'plain' | 'reference' = 'plain'): string {
  let out = '';
  for (const [field, question] of PERSONA_QUESTIONS) {
    const v = style === 'reference' ? referenceValue(m, field) : metadataValue(m, field);
    if (v === undefined) continue;
    out += `Interviewer: ${question}\nInterviewee: ${String(v)}\n\n`;
  }
  return out;
}

/** Diagnoses the Psych-201 merge script maps to "N/A" (controls), and its renamings; other labels are lower-cased. */
const REFERENCE_NO_DIAGNOSIS = new Set(['healthy', 'no-lesion-control', 'control', 'n/a']);
const REFERENCE_DIAGNOSIS_NAMES: Record<string, string> = { 'non-pfc-lesion': 'brain-lesion' };

/**
 * A field as eval_meta.py prints it: the merge script's string. Age is `str(float(age))` (`31.0`), "N/A" outside
 * 0–100; a control diagnosis ("Healthy") is "N/A" and so omitted; diagnosis labels are lower-case.
 */
function referenceValue(m: Metadata, field: CanonicalField): string | undefined {
  const v = metadataValue(m, field);
  if (v === undefined) return undefined;
  if (field === 'age' && typeof v === 'number') return v < 0 || v > 100 ? undefined : pythonFloatString(v);
  if (field === 'clinical diagnosis' && typeof v === 'string') {
    const label = v.trim().toLowerCase();
    if (REFERENCE_NO_DIAGNOSIS.has(label)) return undefined;
    return REFERENCE_DIAGNOSIS_NAMES[label] ?? label;
  }
  return String(v);
}
