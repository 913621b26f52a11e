import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRecord } from '../../src/data/parseRecord.js';
import type { Transcript } from '../../src/data/types.js';
import { applyReferencePreset } from '../../src/prompts/referencePreset.js';
import { renderPrompt } from '../../src/prompts/renderPrompt.js';
import { pythonFloatString } from '../../src/util/pythonFloatString.js';
import { makeTranscript } from '../helpers/makeTranscript.js';

const transcript = makeTranscript;

test("the reference cut counts code points, like Python's text[:32768]", () => {
  // 10,000 emoji (astral: two UTF-16 units each), then text: Python's cut keeps 10,000 emoji + 22,768 more characters,
  // and lands right after '<<B' (so the unclosed marker is dropped); a cut in UTF-16 units would end in the x's.
  const emoji = '😀'.repeat(10_000);
  const tail = 'x'.repeat(22_754) + ' <<A>> and <<B>> after';
  const cut = applyReferencePreset(emoji + tail);
  assert.equal([...cut].length, 32_768 - '<<B'.length);
  assert.ok(cut.endsWith(' <<A>> and '), cut.slice(-20));
  // An astral character straddling the cut is kept whole (never half a surrogate pair).
  const straddle = applyReferencePreset('a'.repeat(32_767) + '😀b');
  assert.equal(straddle, 'a'.repeat(32_767) + '😀');
});

test('Python float strings: str(float(x))', () => {
  assert.deepEqual([31, 31.5, 0, 100, 1e16, 1e-5, 0.0001, 123456789.125].map(pythonFloatString), [
    '31.0',
    '31.5',
    '0.0',
    '100.0',
    '1e+16',
    '1e-05',
    '0.0001',
    '123456789.125',
  ]);
});

test("the reference persona prefix is eval_meta.py's, character for character, and goes before the cut", () => {
  const metadata = { age: 31, gender: 'female', 'clinical diagnosis': 'Depression', scores: { 'STAI-T': 45 } } as Transcript['metadata'];
  const t = transcript('You see <<A>>.', { metadata });
  const expected =
    'Interviewer: What is your age?\nInterviewee: 31.0\n\n' +
    'Interviewer: What is your gender?\nInterviewee: female\n\n' +
    'Interviewer: Do you have any clinical diagnoses?\nInterviewee: depression\n\n' +
    'Interviewer: What is your STAI-T score?\nInterviewee: 45\n\n';
  const r = renderPrompt(t, { format: 'persona', policy: 'reference', personaMetadata: metadata });
  assert.equal(r.text, `${expected}You see <<A>>.`);
  assert.equal(r.prefixChars, expected.length);
  assert.deepEqual(r.spans, [{ start: expected.length + 10, end: expected.length + 11 }]);
  // "Healthy" is N/A in the merge script: no diagnosis question.
  const healthy = { age: 40, 'clinical diagnosis': 'Healthy' } as Transcript['metadata'];
  assert.equal(
    renderPrompt(transcript('x <<A>>', { metadata: healthy }), { format: 'persona', policy: 'reference', personaMetadata: healthy }).text,
    'Interviewer: What is your age?\nInterviewee: 40.0\n\nx <<A>>',
  );
  // The prefix counts against the 32,768-character cut (eval_meta.py adds it before truncating).
  // 50 + 32,720 characters before '<<A>>': past the cut only when the prefix counts.
  const long = transcript(`${'y'.repeat(32_719)} <<A>> z <<B>>`, { metadata: healthy });
  const cut = renderPrompt(long, { format: 'persona', policy: 'reference', personaMetadata: healthy });
  assert.equal([...cut.text].length <= 32_768, true);
  assert.equal(cut.spans[0], undefined, 'the response past the cut (prefix included) is cut off');
});

test('under the reference policy `More Details >>` is repaired before validation and `<<>>` is a span; the default stays strict', () => {
  const text = 'More Details >> here. You chose <<A>>, then <<>>, then <<B>>.';
  const raw = { study: 's', location: { file: 'f.jsonl', line: 1 }, object: { study: 's', experiment: 'e', participant: 'p', text } };
  const strict = parseRecord(raw as never);
  assert.equal(strict.hasErrors, true);
  const ref = parseRecord(raw as never, { reference: true });
  assert.equal(ref.hasErrors, false, JSON.stringify(ref.problems));
  assert.equal(ref.transcript?.spans.length, 3);
  assert.equal(ref.transcript?.sourceText, text, 'the text as read is kept: the cut is taken on it');
  const r = renderPrompt(ref.transcript!, { format: 'raw', policy: 'reference' });
  assert.equal(r.text, 'More Details -> here. You chose <<A>>, then <<>>, then <<B>>.');
  assert.equal(r.spans.length, 3);
});
