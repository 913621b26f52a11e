import { createHash } from 'node:crypto';
import { participantKey } from './participantKey.js';

/** Size of a study's held-out test set: min(floor(10% of participants), 100), as in Psych-201. */
export function testSetSize(participants: number): number {
  return Math.min(Math.floor(participants * 0.1), 100);
}

/**
 * Rank of a participant for the split: a hash of (seed, study, experiment, participant). Participants with the
 * smallest ranks form the test set, so the same data always gives the same split and adding participants moves
 * few others (only those pushed past the cut-off).
 */
export function splitRank(seed: number, study: string, experiment: string, participant: string): string {
  return createHash('sha256').update(`${seed}\u0000${study}\u0000${experiment}\u0000${participant}`).digest('hex');
}

export interface ParticipantId {
  experiment: string;
  participant: string;
}

/** Choose the test participants of one study (distinct ids; duplicates count once). */
export function chooseTestSet(seed: number, study: string, ids: Iterable<ParticipantId>): ParticipantId[] {
  const byKey = new Map<string, ParticipantId & { rank: string }>();
  for (const id of ids) {
    const key = participantKey(id);
    if (!byKey.has(key)) byKey.set(key, { ...id, rank: splitRank(seed, study, id.experiment, id.participant) });
  }
  const ranked = [...byKey.values()].sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  return ranked.slice(0, testSetSize(ranked.length)).map(({ experiment, participant }) => ({ experiment, participant }));
}
