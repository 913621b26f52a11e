/**
 * Measures the choice-set rules (src/scoring/choiceSets.ts) on a source (default ../shared/psych201): per study, the
 * share of discrete responses each rule gave a set to, the mean set size against the old study-wide K, and the
 * exceptions: responses whose first set of two or more keys did not hold the human's answer (then passed over).
 * Not a timing benchmark: `node dist/bench/measureChoiceSets.js [source]`.
 */
import { readTranscripts } from '../src/data/readTranscripts.js';
import { CHOICE_RULES, type ChoiceRule, findChoiceSets } from '../src/scoring/choiceSets.js';
import { DISCRETE_RESPONSE } from '../src/scoring/studyProfile.js';
import { psych201Dir } from '../test/helpers/paths.js';
import { reportBench } from './benchUtil.js';

interface StudyTally {
  discrete: number;
  byRule: Record<ChoiceRule, number>;
  sizeSum: number;
  studyLetters: Set<string>;
  missed: number;
  examples: string[];
}

const pct = (k: number, n: number): string => (n === 0 ? '-' : `${((100 * k) / n).toFixed(1)}%`);

async function measure(source: string): Promise<Map<string, StudyTally>> {
  // Pass 1: each study's letters (the last-resort rule needs them).
  const letters = new Map<string, Set<string>>();
  for await (const { transcript: t } of readTranscripts(source)) {
    if (!t) continue;
    const set = letters.get(t.study) ?? new Set<string>();
    letters.set(t.study, set);
    for (const s of t.spans) {
      const c = t.text.slice(s.start, s.end);
      if (DISCRETE_RESPONSE.test(c)) set.add(c);
    }
  }
  const tallies = new Map<string, StudyTally>();
  for await (const { transcript: t } of readTranscripts(source)) {
    if (!t) continue;
    const studyLetters = letters.get(t.study) ?? new Set<string>();
    let tally = tallies.get(t.study);
    if (!tally) {
      tally = {
        discrete: 0,
        byRule: { offered: 0, instructions: 0, participant: 0, study: 0 },
        sizeSum: 0,
        studyLetters,
        missed: 0,
        examples: [],
      };
      tallies.set(t.study, tally);
    }
    findChoiceSets(t.text, t.spans, [...studyLetters]).forEach((set, i) => {
      if (!set) return;
      tally.discrete++;
      tally.byRule[set.rule]++;
      tally.sizeSum += set.letters.length;
      if (set.missedBy) {
        tally.missed++;
        const s = t.spans[i]!;
        if (tally.examples.length < 3)
          tally.examples.push(
            `${t.experiment}/${t.participant} #${i} answer ${t.text.slice(s.start, s.end)} not in '${set.missedBy}' set; used '${set.rule}' {${set.letters.join(',')}}`,
          );
      }
    });
  }
  return tallies;
}

const source = process.argv[2] ?? psych201Dir;
const tallies = await measure(source);
const rows = [...tallies]
  .sort(([a], [b]) => (a < b ? -1 : 1))
  .map(([study, t]) => ({
    study,
    discrete: t.discrete,
    ...Object.fromEntries(CHOICE_RULES.map((r, i) => [`(${'abcd'[i]}) ${r}`, pct(t.byRule[r], t.discrete)])),
    'mean |set|': t.discrete ? (t.sizeSum / t.discrete).toFixed(2) : '-',
    'old K (study letters)': t.studyLetters.size,
    outside: pct(t.missed, t.discrete),
  }));
const all = [...tallies.values()];
const total = all.reduce((s, t) => s + t.discrete, 0);
rows.push({
  study: 'all',
  discrete: total,
  ...Object.fromEntries(
    CHOICE_RULES.map((r, i) => [
      `(${'abcd'[i]}) ${r}`,
      pct(
        all.reduce((s, t) => s + t.byRule[r], 0),
        total,
      ),
    ]),
  ),
  'mean |set|': (all.reduce((s, t) => s + t.sizeSum, 0) / Math.max(1, total)).toFixed(2),
  'old K (study letters)': 0,
  outside: pct(
    all.reduce((s, t) => s + t.missed, 0),
    total,
  ),
});
reportBench('choice-sets', rows, {
  source,
  exceptions: Object.fromEntries([...tallies].map(([s, t]) => [s, { n: t.missed, examples: t.examples }])),
});
for (const [study, t] of tallies) if (t.missed > 0) console.log(`exceptions in ${study} (${t.missed}):\n  ${t.examples.join('\n  ')}`);
