import type { Metadata } from '../data/types.js';
import { CANONICAL_FIELDS, metadataValue, type CanonicalField } from '../data/normalizeMetadata.js';

/** The interview questions of the reference persona prompt, in its order. RTs are not asked about. */
export const PERSONA_QUESTIONS: readonly [CanonicalField, string][] = CANONICAL_FIELDS.filter((f) => f !== 'RTs').map((f) => [
  f,
  f === 'age' ? 'What is your age?'
    : f === 'gender' ? 'What is your gender?'
    : f === 'nationality' ? 'What is your nationality?'
    : f === 'education' ? 'What is your highest level of education?'
    : f === 'clinical diagnosis' ? 'Do you have any clinical diagnoses?'
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
export function personaPrefix(m: Metadata): string {
  let out = '';
  for (const [field, question] of PERSONA_QUESTIONS) {
    const v = metadataValue(m, field);
    if (v === undefined) continue;
    out += `Interviewer: ${question}\nInterviewee: ${String(v)}\n\n`;
  }
  return out;
}
