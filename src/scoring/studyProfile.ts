import type { Metadata } from '../data/types.js';

/** A discrete response: one capital letter (the reference's discrete variant). */
export const DISCRETE_RESPONSE = /^[A-Z]$/;

/** What the run loop needs to know about a study before scoring it. */
export interface StudyProfile {
  study: string;
  participants: number;
  responses: number;
  /**
   * Distinct discrete responses seen in the study, sorted: only the last-resort choice set (a participant who used a
   * single letter where nothing names the options); each response's own choice set comes from its transcript.
   */
  options: string[];
  /** Distinct responses that are not discrete (any participant, any side): the support of free text and numbers. */
  distinctResponses: number;
  /** Response counts over the participants the frequency baseline learns from (training side, or everyone). */
  counts: Map<string, number>;
  /** Sum of `counts` over the responses that are not discrete (the frequency baseline's N for free text and numbers). */
  countsTotal: number;
  /** True when counts include every participant: the baseline then leaves the scored participant out. */
  countsIncludeEveryone: boolean;
  /** Participants with persona metadata, in a seeded order: persona-shuffled takes the next one's metadata. */
  personas: { key: string; metadata: Metadata }[];
  /** Position of each participant in `personas`. */
  personaIndex: Map<string, number>;
}

/** The metadata persona-shuffled states for a participant: the next participant's in the seeded order, never their own. */
export function shuffledPersona(profile: StudyProfile, key: string): Metadata | undefined {
  const n = profile.personas.length;
  if (n < 2) return undefined;
  const i = profile.personaIndex.get(key);
  return i === undefined ? undefined : profile.personas[(i + 1) % n]?.metadata;
}
