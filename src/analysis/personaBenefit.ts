import { totalMoments } from './alignmentScores.js';
import type { Interval, PairedStudy } from './bootstrap.js';
import { cohensD } from './cohensD.js';
import type { RunUnit } from './comparisonSets.js';
import { type ComparisonData, comparisonId } from './loadComparison.js';
import { type BootstrapOptions, pairedInterval } from './misalignmentPairs.js';

export interface PersonaResult {
  model: string;
  studies: number;
  participants: number;
  /** Cohen's d of persona vs raw on the same participants (negative = the persona helps). */
  personaVsRaw: Interval;
  shuffledVsRaw: Interval | null;
  personaVsShuffled: Interval | null;
  /** Per study, Cohen's d of persona vs raw (the same sign as personaVsRaw). */
  perStudy: { study: string; d: number }[];
}

const strip = (i: (Interval & { draws: Float64Array }) | null): Interval | null =>
  i ? { estimate: i.estimate, low: i.low, high: i.high } : null;

/**
 * Persona vs raw, shuffled persona vs raw, persona vs shuffled, each on the responses both runs scored. Only when raw
 * runs are compared: under another format (`--format chat`) the comparison would be persona vs chat, not vs raw.
 */
export function personaBenefit(data: ComparisonData, boot: BootstrapOptions): PersonaResult[] {
  const out: PersonaResult[] = [];
  if (data.format !== 'raw') return out;
  const unit = (model: string, format: string): RunUnit | undefined => data.set.units.find((u) => u.model === model && u.format === format);
  const studiesOf = (a: RunUnit | undefined, b: RunUnit | undefined): PairedStudy[] =>
    a && b ? (data.paired.get(comparisonId(a, b))?.studies ?? []) : [];
  for (const r of data.main) {
    const p = unit(r.model, 'persona');
    const s = unit(r.model, 'persona-shuffled');
    const vsRaw = studiesOf(r, p);
    const personaVsRaw = strip(pairedInterval(vsRaw, { ...boot, seed: boot.seed + 1 }));
    if (!personaVsRaw) continue;
    out.push({
      model: r.model,
      studies: vsRaw.length,
      participants: vsRaw.reduce((n, x) => n + x.a.length, 0),
      personaVsRaw,
      shuffledVsRaw: s ? strip(pairedInterval(studiesOf(r, s), { ...boot, seed: boot.seed + 2 })) : null,
      personaVsShuffled: s ? strip(pairedInterval(studiesOf(s, p), { ...boot, seed: boot.seed + 3 })) : null,
      perStudy: vsRaw.map((x) => ({ study: x.study, d: cohensD(totalMoments(x.a), totalMoments(x.b)) })),
    });
  }
  return out;
}
