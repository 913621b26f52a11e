import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Backend, ScoreRequest, TokenScore } from '../../src/backends/Backend.js';
import { withRanges } from '../../src/backends/tokenizeWithOffsets.js';
import { parseTranscript } from '../../src/data/parseTranscript.js';
import type { Transcript } from '../../src/data/types.js';
import { BaselineScorer } from '../../src/scoring/BaselineScorer.js';
import { findChoiceSets, namedKeys } from '../../src/scoring/choiceSets.js';
import type { StudyProfile } from '../../src/scoring/studyProfile.js';
import { TokenScorer } from '../../src/scoring/TokenScorer.js';
import { makeTranscript } from '../helpers/makeTranscript.js';
import { noSharedData, psych201Dir } from '../helpers/paths.js';

const sets = (text: string, study: string[] = []): { letters: readonly string[]; rule: string; missedBy?: string }[] =>
  findChoiceSets(text, parseTranscript(text).spans, study).map((s) => s ?? { letters: [], rule: 'none' });

// Snippets are verbatim from ../shared/psych201 (cut around the part that names the options).
test('namedKeys: option-naming phrases of the real studies', () => {
  const cases: [string, string[]][] = [
    ['Which of the following words do you choose:\nX: red\nI: hexagon\nF: green\nB: triangle\n\nYour answer:\n', ['B', 'F', 'I', 'X']], // franke2024bayesian
    ['The three objects are:\nE: green circle with dots\nQ: green circle with spades\nI: green hexagon with dots\n', ['E', 'I', 'Q']],
    [
      'If the word presented to you exists, press the C key on your keyboard. If the word does not exist, press the W key. By pressing the ESC key, you will end the fullscreen mode.',
      ['C', 'W'],
    ], // guenther2020LDT
    ["The options' names are J, G, and F.\n\nBlock 1:\nThere are two options to choose from, J and G.\n", ['F', 'G', 'J']], // spektor2019contexteffects
    ['. Option J yields 0 points. Option G yields 0 points. Option F yields 23 points.\nYou choose ', ['F', 'G', 'J']],
    [
      "you will repeatedly see two houses labeled 'S' and I' and have to predict behind which house an animal will hide next. You can indicate your choice by tapping on either house 'S' or house 'I'.",
      ['I', 'S'],
    ], // thoma2025problearn
    [
      'You can choose between two options: Row A and Row B. Your opponent will simultaneously choose between Column C and Column D.\nIf you choose Row A and your opponent chooses Column C, you receive 10',
      ['A', 'B'],
    ], // zhu2024games
    [
      'In the first stage, you will choose between two options: M and Z.\nYour first-stage choice will lead to one of two second-stage states: S or A.\nIn each second-stage state, you will make another choice between two options: R and W.',
      ['M', 'R', 'W', 'Z'],
    ], // shahar2019twosteptask
    [
      'You should select label S when the subtraction between N1 and N2 is divisible by N3. Otherwise, You should select label F.',
      ['F', 'S'],
    ], // xu2023augmenting
    ["The lotteries' names are S and Q.\n\nSession 1:\nThe outcomes of lottery S are -9 with 50% chance", ['Q', 'S']], // spektor2024lossaversion
    ['Stock P yields 534 points. Stock Y yields 516 points.\nYou choose Stock ', ['P', 'Y']], // olschewski2024skewness
    ['In this task, you choose between two slot machines, F and J, for 10 rounds.', ['F', 'J']],
  ];
  for (const [text, keys] of cases) assert.deepEqual(namedKeys(text), keys, text.slice(0, 60));
  // Not options: a state, feedback naming the correct key, a three-letter key, the pronoun.
  assert.deepEqual(namedKeys('This leads to state S. In state S, you choose '), []);
  assert.deepEqual(namedKeys('. The correct selection is F.\nYou see N1 = 81.0, N2 = 71.0, N3 = 5.0. You select '), []);
  assert.deepEqual(namedKeys('I would choose the word corresponding to key '), []);
});

test('franke-style option lists: each answer gets the keys listed before it, not the letters the participant used', () => {
  const trial = (keys: string[], answer: string): string =>
    `Which of the following words do you choose:\n${keys.map((k, i) => `${k}: word${i}`).join('\n')}\n\nYour answer:\nI would choose the word corresponding to key <<${answer}>>.\n`;
  const text =
    'Thank you for participating!\n' +
    trial(['X', 'I', 'F', 'B'], 'X') +
    trial(['E', 'Q', 'I'], 'E') +
    trial(['F', 'Q', 'X', 'B'], 'F') +
    trial(['E', 'Q', 'I'], 'Q');
  const got = sets(text);
  assert.deepEqual(
    got.map((s) => [s.rule, s.letters.join('')]),
    [
      ['offered', 'BFIX'],
      ['offered', 'EIQ'],
      ['offered', 'BFQX'],
      ['offered', 'EIQ'],
    ],
  );
});

test('choice-set rules in order: offered, instructions, participant, study; a set without the answer is passed over', () => {
  // Instructions name C and W; the trials name nothing.
  const ldt = 'If the word exists, press the C key. If not, press the W key.\nsledgehammer. You press <<C>>.\ncoalface. You press <<W>>.\n';
  assert.deepEqual(
    sets(ldt).map((s) => [s.rule, s.letters.join('')]),
    [
      ['offered', 'CW'],
      ['instructions', 'CW'],
    ],
  );
  // Nothing named: the participant's own letters.
  const own = 'Pick one. <<K>> again <<T>> again <<K>> and words <<hello there>>';
  const o = sets(own);
  assert.deepEqual(
    o.slice(0, 3).map((s) => [s.rule, s.letters.join('')]),
    [
      ['participant', 'KT'],
      ['participant', 'KT'],
      ['participant', 'KT'],
    ],
  );
  assert.equal(o[3]!.rule, 'none', 'free text has no choice set');
  // One letter used throughout and nothing named: the study's letters.
  assert.deepEqual(
    sets('Pick. <<K>> <<K>>', ['A', 'K', 'Z']).map((s) => [s.rule, s.letters.join('')]),
    [
      ['study', 'AKZ'],
      ['study', 'AKZ'],
    ],
  );
  // Feedback of the last market names D and B; the new market has three stocks: the instructions' three apply.
  const market =
    "The stocks' names are D, B, and Q.\n\nStock market 1:\nThere are two stocks to choose from.\nYou choose <<D>>. Stock D yields 168 points. Stock B yields 177 points.\n\nStock market 2:\nThere are three stocks to choose from.\nYou choose <<Q>>. Stock D yields 1 points. Stock B yields 2 points. Stock Q yields 3 points.\nYou choose <<B>>.";
  assert.deepEqual(
    sets(market).map((s) => [s.rule, s.letters.join('')]),
    [
      ['instructions', 'BDQ'],
      ['instructions', 'BDQ'],
      ['offered', 'BDQ'],
    ],
  );
  // The named set does not hold the answer: recorded as an exception, the next rule applies.
  const miss = sets('Press the F or J key.\n<<F>> Option A or option B? You pick <<J>>.');
  assert.deepEqual([miss[1]!.rule, miss[1]!.letters.join(''), miss[1]!.missedBy], ['instructions', 'FJ', 'offered']);
  assert.equal(miss[0]!.missedBy, undefined);
});

const transcript = (text: string, participant = '1'): Transcript => makeTranscript(text, { participant });

const profile = (options: string[], counts: Record<string, number> = {}, distinct = 0): StudyProfile => ({
  study: 's',
  participants: 10,
  responses: 10,
  options,
  distinctResponses: distinct,
  counts: new Map(Object.entries(counts)),
  countsTotal: 0,
  countsIncludeEveryone: false,
  personas: [],
  personaIndex: new Map(),
});

test('uniform: ln |choice set| of each discrete response, not ln of the study letters (per-participant letters)', async () => {
  // The study's letters are all 26 (letters randomised per participant); this participant chose between C and W.
  const t = transcript(
    'If the word exists, press the C key. If not, press the W key.\nA. You press <<C>>.\nB. You press <<W>>.\nC. You press <<W>>.',
  );
  const s = await new BaselineScorer('uniform').scoreParticipant(t, profile([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'], {}, 0));
  assert.deepEqual(
    s.rows.map((r) => r.nll),
    [Math.log(2), Math.log(2), Math.log(2)],
  );
  assert.deepEqual(
    s.rows.map((r) => [r.choiceRule, r.choiceSetSize, r.choiceNll]),
    [
      ['offered', 2, Math.log(2)],
      ['instructions', 2, Math.log(2)],
      ['instructions', 2, Math.log(2)],
    ],
  );
});

test("frequency: counts restricted to the choice set, so a participant whose letters differ from the study's gets 1/|S|", async () => {
  // Other participants answered A 8 times and B 2 times; this one chose between K and T, never seen elsewhere.
  const p = profile(['A', 'B', 'K', 'T'], { A: 8, B: 2 });
  const s = await new BaselineScorer('frequency').scoreParticipant(transcript('Press K or T. <<K>> <<T>> <<A>>', '2'), p);
  assert.equal(s.rows[0]!.nll, Math.log(2));
  assert.equal(s.rows[1]!.nll, Math.log(2));
  // The third answer, A, is outside {K, T}: its set falls to the participant's letters {A, K, T}.
  assert.equal(s.rows[2]!.choiceRule, 'participant');
  assert.ok(Math.abs(s.rows[2]!.nll - -Math.log(9 / 11)) < 1e-12, '(8+1)/((8+1)+(0+1)+(0+1))');
});

test("sequential: add-one over the choice set from the participant's own earlier responses; add-one over the study support otherwise", async () => {
  const t = transcript('Press the C key or the W key. <<C>> <<C>> <<W>> <<C>> words <<yes>> <<no>> <<yes>>');
  const s = await new BaselineScorer('sequential').scoreParticipant(t, profile(['C', 'W'], {}, 5));
  // C: 1/2; C: (1+1)/(1+2); W: (0+1)/(2+2); C: (2+1)/(3+2); then free text over K = 5: yes 1/5, no 1/(1+5), yes 2/(2+5).
  const expected = [1 / 2, 2 / 3, 1 / 4, 3 / 5, 1 / 5, 1 / 6, 2 / 7].map((p) => -Math.log(p));
  for (const [i, r] of s.rows.entries()) assert.ok(Math.abs(r.nll - expected[i]!) < 1e-12, `response ${i}: ${r.nll} vs ${expected[i]}`);
  // Predictions: the most frequent earlier response (ties: alphabetical): C, C, C (W wrong), C; for free text none
  // yet, then yes (no is wrong), then no (tie yes/no; yes is wrong).
  assert.deepEqual(
    s.rows.slice(0, 4).map((r) => r.choiceCorrect),
    [true, true, false, true],
  );
  assert.deepEqual(
    s.rows.slice(4).map((r) => r.greedyMatch),
    [null, false, false],
  );
});

/** A character-level tokenizer and a backend whose log-probabilities depend only on the token: letter L gets −(code(L) − 64) / 4. */
function letterBackend(): Backend {
  const lp = (id: number): number => -(id - 64) / 4;
  return {
    identity: { name: 'letters', kind: 'test' },
    capabilities: { contextSize: 4096, chatTemplate: undefined, top1: true, alternatives: true, batchSequences: 1 },
    tokenizer: withRanges({
      tokenize: (text) => [...text].map((c) => c.charCodeAt(0)),
      detokenize: (tokens) => String.fromCharCode(...tokens),
      bos: undefined,
      addBos: false,
      bosText: '',
      eosText: '',
      id: 'chars',
    }),
    scoreTokens: (requests: readonly ScoreRequest[]): Promise<TokenScore[][]> =>
      Promise.resolve(
        requests.map((r) =>
          r.positions.map((p) => {
            const id = r.tokens[p]!;
            const alts = r.alternatives?.get(p);
            return { logprob: lp(id), top1: false, ...(alts && { alternatives: alts.map(lp) }) };
          }),
        ),
      ),
    close: () => Promise.resolve(),
  };
}

test("TokenScorer: choice-restricted NLL renormalises over the response's own set, not every letter of the study", async () => {
  const scorer = new TokenScorer(letterBackend(), { format: 'raw', policy: 'windowed' });
  const t = transcript('Press the B key or the D key. You press <<D>>.');
  const s = await scorer.scoreParticipant(t, profile(['A', 'B', 'C', 'D']));
  const lp = (c: string): number => -(c.charCodeAt(0) - 64) / 4;
  const expected = -(lp('D') - Math.log(Math.exp(lp('B')) + Math.exp(lp('D'))));
  const row = s.rows[0]!;
  assert.equal(row.choiceSetSize, 2);
  assert.ok(Math.abs(row.choiceNll! - expected) < 1e-12, `${row.choiceNll} vs ${expected}`);
  assert.equal(row.choiceCorrectRestricted, false, 'B is more probable than D');
  // The stored distribution over {B, D} (record version 3), against a direct softmax of the two log-probabilities.
  const pB = Math.exp(lp('B')) / (Math.exp(lp('B')) + Math.exp(lp('D')));
  const pD = 1 - pB;
  const near = (x: number | null, y: number, what: string): void =>
    assert.ok(x !== null && Math.abs(x - y) < 1e-12, `${what}: ${x} vs ${y}`);
  assert.deepEqual([row.choiceSet, row.choiceAnswer], ['BD', 'D']);
  near(row.choiceProb, pD, 'p(human)');
  near(row.choiceMaxProb, pB, 'confidence');
  near(row.choiceEntropy, -(pB * Math.log(pB) + pD * Math.log(pD)), 'entropy');
  near(row.choiceSumSq, pB * pB + pD * pD, 'Σ p²');
  near(row.choiceSumSq! - 2 * row.choiceProb! + 1, (pB - 0) ** 2 + (pD - 1) ** 2, 'Brier');
});

test('baselines store their own distribution over the choice set: uniform 1/|S|, sequential from earlier answers', async () => {
  const t = transcript('Press the C key or the W key. <<C>> <<C>> <<W>>');
  const u = await new BaselineScorer('uniform').scoreParticipant(t, profile(['C', 'W']));
  assert.deepEqual(
    u.rows.map((r) => [r.choiceSet, r.choiceAnswer, r.choiceProb, r.choiceMaxProb, r.choiceSumSq]),
    Array.from({ length: 3 }, (_, i) => ['CW', 'CCW'[i], 0.5, 0.5, 0.5]),
  );
  assert.ok(Math.abs(u.rows[0]!.choiceEntropy! - Math.log(2)) < 1e-12);
  // Sequential, third answer W after C, C: weights C 2 + 1, W 0 + 1 → p = (3/4, 1/4), read before W is counted.
  const s = await new BaselineScorer('sequential').scoreParticipant(t, profile(['C', 'W']));
  const r = s.rows[2]!;
  assert.deepEqual([r.choiceProb, r.choiceMaxProb, r.choiceSumSq], [0.25, 0.75, 0.625]);
  assert.ok(Math.abs(r.choiceEntropy! - -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))) < 1e-12);
  assert.ok(Math.abs(r.choiceNll! - -Math.log(r.choiceProb!)) < 1e-12, 'the same distribution as choice_nll');
});

test('real studies: the first 20 participants of each get sets that hold every answer, of the sizes offered', {
  skip: noSharedData,
}, async () => {
  const { readdirSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { readTranscripts } = await import('../../src/data/readTranscripts.js');
  const studies = readdirSync(psych201Dir).filter((d) => statSync(join(psych201Dir, d)).isDirectory());
  assert.equal(studies.length, 18);
  const sizes = new Map<string, Set<string>>();
  for (const study of studies) {
    let n = 0;
    for await (const { transcript: t } of readTranscripts(psych201Dir, { studies: [study] })) {
      if (!t) continue;
      for (const [i, set] of findChoiceSets(t.text, t.spans).entries()) {
        if (!set) continue;
        const answer = t.text.slice(t.spans[i]!.start, t.spans[i]!.end);
        assert.ok(
          set.letters.includes(answer) && set.missedBy === undefined,
          `${study} ${t.participant} #${i}: ${answer} vs ${set.rule} ${set.letters}`,
        );
        const seen = sizes.get(study) ?? new Set<string>();
        seen.add(`${set.rule}:${set.letters.length}`);
        sizes.set(study, seen);
      }
      if (++n >= 20) break;
    }
  }
  const of = (study: string): string[] => [...(sizes.get(study) ?? [])].sort();
  assert.deepEqual(of('franke2024bayesian'), ['offered:3', 'offered:4']);
  assert.deepEqual(of('guenther2020LDT'), ['instructions:2', 'offered:2']);
  assert.deepEqual(of('shahar2019twosteptask'), ['instructions:4', 'offered:2']);
  assert.deepEqual(of('zhu2024games'), ['offered:2']);
  assert.deepEqual(of('busch2024_stroop'), [], 'left/down/right are words, not keys');
});
