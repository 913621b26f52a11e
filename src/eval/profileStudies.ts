import { createHash, type Hash } from 'node:crypto';
import type { ParsedRecord } from '../data/parseRecord.js';
import { participantKey } from '../data/participantKey.js';
import type { Selection } from '../data/readTranscripts.js';
import { splitRank } from '../data/splitRule.js';
import { hasPersonaMetadata } from '../prompts/persona.js';
import type { StudyProfile } from '../scoring/studyProfile.js';
import { DISCRETE_RESPONSE } from '../scoring/studyProfile.js';

export interface DatasetProfile {
  /** sha256 over every record read (study and raw line), in order: identifies the data a run scored. */
  datasetHash: string;
  /** The same per study (its records in order): runs over different studies of the same data can be combined. */
  studyHashes: Map<string, string>;
  participants: number;
  responses: number;
  /** Characters of the selected transcripts: the progress estimate's measure of work (createTokenTally). */
  characters: number;
  studies: Map<string, StudyProfile>;
}

/**
 * One streaming pass over the selected data: the dataset hash, and per study the options, response counts and
 * personas. Memory grows with distinct responses and participants, not with text.
 */
export async function profileStudies(
  records: AsyncIterable<ParsedRecord>,
  options: { select?: Selection; seed?: number; countResponses?: boolean } = {},
): Promise<DatasetProfile> {
  const hash = createHash('sha256');
  const studyHash = new Map<string, Hash>();
  const studies = new Map<string, StudyProfile & { distinct: Set<string> }>();
  let participants = 0;
  let responses = 0;
  let characters = 0;
  const select = options.select ?? 'all';
  // `records` are every side of the split: the baselines learn from the training side and options come from the whole
  // study, even when only the test side is scored. Counts and the hash cover the selected side only.
  for await (const parsed of records) {
    const t = parsed.transcript;
    const selected = select === 'all' || t?.split === select;
    if (selected) {
      const line = `${parsed.record.study}\n${parsed.record.json ?? JSON.stringify(parsed.record.object)}\n`;
      hash.update(line);
      let h = studyHash.get(parsed.record.study);
      if (!h) studyHash.set(parsed.record.study, (h = createHash('sha256')));
      h.update(line);
    }
    if (!t || parsed.hasErrors) continue;
    let p = studies.get(t.study);
    if (!p) {
      p = {
        study: t.study,
        participants: 0,
        responses: 0,
        options: [],
        distinctResponses: 0,
        counts: new Map(),
        countsTotal: 0,
        countsIncludeEveryone: t.split === undefined,
        personas: [],
        personaIndex: new Map(),
        distinct: new Set(),
      };
      studies.set(t.study, p);
    }
    if (selected) {
      p.participants++;
      p.responses += t.spans.length;
      participants++;
      responses += t.spans.length;
      characters += t.text.length;
    }
    const learnFrom = t.split === undefined || t.split === 'train';
    for (const s of t.spans) {
      const content = t.text.slice(s.start, s.end);
      const discrete = DISCRETE_RESPONSE.test(content);
      if (discrete && !p.options.includes(content)) p.options.push(content);
      if (options.countResponses) {
        if (!discrete) p.distinct.add(content);
        if (learnFrom) {
          p.counts.set(content, (p.counts.get(content) ?? 0) + 1);
          if (!discrete) p.countsTotal++;
        }
      }
    }
    if (hasPersonaMetadata(t.metadata)) p.personas.push({ key: participantKey(t), metadata: t.metadata });
  }
  const seed = options.seed ?? 0;
  const out = new Map<string, StudyProfile>();
  for (const [study, { distinct, ...p }] of studies) {
    p.options.sort();
    p.distinctResponses = distinct.size;
    const ranked = p.personas.map((x) => ({ x, rank: splitRank(seed, study, x.key, 'persona') }));
    ranked.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    p.personas = ranked.map((r) => r.x);
    p.personas.forEach((x, i) => {
      p.personaIndex.set(x.key, i);
    });
    out.set(study, p);
  }
  return {
    datasetHash: hash.digest('hex'),
    studyHashes: new Map([...studyHash].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, h]) => [k, h.digest('hex')] as const)),
    participants,
    responses,
    characters,
    studies: out,
  };
}
