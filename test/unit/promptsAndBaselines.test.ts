import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTranscripts } from '../../src/data/readTranscripts.js';
import { personaPrefix } from '../../src/prompts/persona.js';
import { applyReferencePreset } from '../../src/prompts/referencePreset.js';
import { renderPrompt } from '../../src/prompts/renderPrompt.js';
import { BaselineScorer } from '../../src/scoring/BaselineScorer.js';
import type { StudyProfile } from '../../src/scoring/studyProfile.js';
import { makeTranscript } from '../helpers/makeTranscript.js';

const transcript = makeTranscript;

test('reference preset: 32,768 characters, the four substitutions, no unclosed marker, no space before >>', () => {
  assert.equal(
    applyReferencePreset('a <<skip>> b <<-1>> c <<think>> More Details >> d << x  >>'),
    'a <<skip>>. b << -1>> c << think>> More Details -> d << x>>',
  );
  // The cut at 32,768 characters falls inside '<<B': the unclosed marker is dropped.
  const long = 'x'.repeat(32_758) + ' <<A>> <<B>>';
  assert.ok(applyReferencePreset(long) === 'x'.repeat(32_758) + ' <<A>> ', 'cut before the unclosed marker');
  const r = renderPrompt(transcript(long), { format: 'raw', policy: 'reference' });
  assert.equal(r.spans.length, 2);
  assert.deepEqual(r.spans[0], { start: 32_761, end: 32_762 });
  assert.equal(r.spans[1], undefined, 'the response past the cut is not scored');
});

test('persona prefix: reference questions in order, available fields only, blank line after each', () => {
  const m = { age: 37, gender: 'female' as const, scores: { 'STAI-T': 41 }, 'clinical diagnosis': 'none' };
  assert.equal(
    personaPrefix(m),
    'Interviewer: What is your age?\nInterviewee: 37\n\n' +
      'Interviewer: What is your gender?\nInterviewee: female\n\n' +
      'Interviewer: Do you have any clinical diagnoses?\nInterviewee: none\n\n' +
      'Interviewer: What is your STAI-T score?\nInterviewee: 41\n\n',
  );
  const t = transcript('You pick <<A>>.');
  const r = renderPrompt(t, { format: 'persona', policy: 'windowed', personaMetadata: { age: 20 } });
  assert.equal(r.text.slice(r.spans[0]!.start, r.spans[0]!.end), 'A');
  assert.ok(r.text.startsWith('Interviewer: What is your age?\nInterviewee: 20\n\nYou pick <<A>>.'));
});

test('chat format: user turns between responses, responses as assistant turns, spans exact', () => {
  const template =
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + '<|end|>\\n<|assistant|>\\n'}}{% else %}{{ message['content'] + '<|end|>\\n' }}{% endif %}{% endfor %}";
  const t = transcript('Pick one. <<A>> You won. Again? <<B c>>');
  const r = renderPrompt(t, { format: 'chat', policy: 'windowed', chatTemplate: template, bosText: '<s>', eosText: '</s>' });
  assert.equal(
    r.text,
    '<s><|user|>\nPick one. <|end|>\n<|assistant|>\nA<|end|>\n<|user|>\n You won. Again? <|end|>\n<|assistant|>\nB c<|end|>\n',
  );
  assert.deepEqual(
    r.spans.map((s) => r.text.slice(s!.start, s!.end)),
    ['A', 'B c'],
  );
  assert.equal(r.special, true);
  assert.equal(r.hasBosText, true);
});

const profile = (counts: Record<string, number>, distinct: number, options: string[] = [], everyone = false): StudyProfile => ({
  study: 's',
  participants: 10,
  responses: 10,
  options,
  distinctResponses: distinct,
  counts: new Map(Object.entries(counts)),
  countsTotal: Object.values(counts).reduce((a, b) => a + b, 0),
  countsIncludeEveryone: everyone,
  personas: [],
  personaIndex: new Map(),
});

test("uniform baseline: ln |choice set| for a letter (here the participant's letters A, B), ln K for other responses", async () => {
  const s = await new BaselineScorer('uniform').scoreParticipant(transcript('<<A>> <<B>> <<hello>>'), profile({}, 7));
  assert.deepEqual(
    s.rows.map((r) => r.nll),
    [Math.log(2), Math.log(2), Math.log(7)],
  );
});

test('frequency baseline: add-one smoothed training counts, leaving the participant out when counts include them', async () => {
  // Training counts A:6 B:2 over N=8; the transcript offers A, B and C.
  const test_ = await new BaselineScorer('frequency').scoreParticipant(
    transcript('Press A, B or C. <<A>> <<C>>', { split: 'test' }),
    profile({ A: 6, B: 2 }, 3, ['A', 'B', 'C']),
  );
  assert.ok(Math.abs(test_.rows[0]!.nll - -Math.log(7 / 11)) < 1e-12);
  assert.ok(Math.abs(test_.rows[1]!.nll - -Math.log(1 / 11)) < 1e-12);
  assert.equal(test_.rows[0]!.greedyMatch, true);
  assert.equal(test_.rows[1]!.greedyMatch, false);
  // Choice-restricted over options A, B, C: weights 7, 3, 1.
  assert.ok(Math.abs(test_.rows[1]!.choiceNll! - -Math.log(1 / 11)) < 1e-12);
  // Without a split the counts include the participant: their own A and C are removed first (A:5, C:-1→0 ... ).
  const loo = await new BaselineScorer('frequency').scoreParticipant(
    transcript('Press A, B or C. <<A>> <<B>>'),
    profile({ A: 6, B: 2 }, 3, [], true),
  );
  // counts become A:5 B:1, N=6: P(A) = 6/9, P(B) = 2/9
  assert.ok(Math.abs(loo.rows[0]!.nll - -Math.log(6 / 9)) < 1e-12);
  assert.ok(Math.abs(loo.rows[1]!.nll - -Math.log(2 / 9)) < 1e-12);
});

test("persona-shuffled states another participant's metadata: never their own, deterministic, seed-dependent", async () => {
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { makeTempDir } = await import('../helpers/paths.js');
  const { profileStudies } = await import('../../src/eval/profileStudies.js');
  const { shuffledPersona } = await import('../../src/scoring/studyProfile.js');
  const dir = makeTempDir();
  mkdirSync(join(dir, 's'));
  const lines = Array.from({ length: 9 }, (_, i) =>
    JSON.stringify({ text: `Pick <<A>>`, experiment: 'e', participant: i, ...(i < 8 && { age: 20 + i }) }),
  );
  writeFileSync(join(dir, 's', 'prompts.jsonl'), lines.join('\n') + '\n');
  const p = (await profileStudies(readTranscripts(dir), { seed: 1 })).studies.get('s')!;
  assert.equal(p.personas.length, 8, 'only participants with metadata can lend it');
  const donors = Array.from({ length: 8 }, (_, i) => shuffledPersona(p, `e\u001f${i}`)!.age);
  donors.forEach((age, i) => {
    assert.notEqual(age, 20 + i);
  });
  assert.deepEqual(
    [...donors].sort(),
    Array.from({ length: 8 }, (_, i) => 20 + i),
    'a permutation: each metadata is lent once',
  );
  assert.equal(shuffledPersona(p, 'e\u001f8'), undefined, 'a participant without metadata gets none');
  const again = (await profileStudies(readTranscripts(dir), { seed: 1 })).studies.get('s')!;
  assert.deepEqual(
    Array.from({ length: 8 }, (_, i) => shuffledPersona(again, `e\u001f${i}`)!.age),
    donors,
  );
  const other = (await profileStudies(readTranscripts(dir), { seed: 2 })).studies.get('s')!;
  assert.notDeepEqual(
    Array.from({ length: 8 }, (_, i) => shuffledPersona(other, `e\u001f${i}`)!.age),
    donors,
  );
});
