import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { createLlamaTokenizer } from '../../src/backends/LlamaTokenizer.js';
import { tokenizeWithOffsets } from '../../src/backends/tokenizeWithOffsets.js';
import { readTranscripts } from '../../src/data/readTranscripts.js';
import { alignSpans } from '../../src/scoring/alignSpans.js';
import { modelsDir, noSharedData, noSharedModels, psych201Dir } from '../helpers/paths.js';

const skip = noSharedModels || noSharedData;
const VOCABS = ['ggml-vocab-gpt-2.gguf', 'ggml-vocab-phi-3.gguf'];
const PER_STUDY = 25;

async function loadVocab(name: string): Promise<ReturnType<typeof createLlamaTokenizer> & { raw: import('node-llama-cpp').LlamaModel }> {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: join(modelsDir, 'ggml-vocab', name), vocabOnly: true });
  return Object.assign(createLlamaTokenizer(model, name), { raw: model });
}

for (const vocab of VOCABS) {
  test(`${vocab}: llama.cpp's own tokenizer test vectors hold`, { skip }, async () => {
    const tok = await loadVocab(vocab);
    const inputs = readFileSync(join(modelsDir, 'ggml-vocab', `${vocab}.inp`), 'utf8').split('\n__ggml_vocab_test__\n');
    const outputs = readFileSync(join(modelsDir, 'ggml-vocab', `${vocab}.out`), 'utf8')
      .trimEnd()
      .split('\n');
    assert.equal(inputs.length - 1, outputs.length); // the .inp ends with a separator
    outputs.forEach((line, i) => {
      const expected = line.trim() === '' ? [] : line.trim().split(/\s+/).map(Number);
      assert.deepEqual(tok.tokenize(inputs[i]!, false), expected, `vector ${i}: ${JSON.stringify(inputs[i])}`);
    });
  });

  test(`${vocab}: token ranges rebuild every text and spans map to the right tokens on every study`, {
    skip,
    timeout: 300_000,
  }, async (t) => {
    const tok = await loadVocab(vocab);
    const perStudy = new Map<string, { n: number; responses: number; straddleStart: number; straddleEnd: number; multibyte: number }>();
    for await (const { transcript: tr } of readTranscripts(psych201Dir)) {
      if (!tr) continue;
      const s = perStudy.get(tr.study) ?? { n: 0, responses: 0, straddleStart: 0, straddleEnd: 0, multibyte: 0 };
      perStudy.set(tr.study, s);
      if (s.n++ >= PER_STUDY) continue;
      const r = tokenizeWithOffsets(tok, tr.text);
      assert.equal(r.usedFallback, false, `${tr.study}: fast offsets`);
      // Ranges are contiguous and cover the text exactly.
      let covered = '';
      let end = 0;
      for (let k = 0; k < r.tokens.length; k++) {
        assert.ok(
          r.starts[k] === end || r.starts[k] === r.starts[k - 1],
          `${tr.study}: token ${k} starts at ${r.starts[k]}, expected ${end}`,
        );
        if (r.ends[k]! > end) {
          covered += tr.text.slice(end, r.ends[k]);
          end = r.ends[k]!;
        }
      }
      assert.equal(covered, tr.text);
      if (/[^\u0000-\u007f]/.test(tr.text)) s.multibyte++;
      const aligned = alignSpans(tr.spans, r.starts, r.ends);
      aligned.forEach((a, i) => {
        const span = tr.spans[i]!;
        assert.ok(a.first >= 0, `${tr.study}: response ${i} has tokens`);
        s.responses++;
        if (a.straddleStart) s.straddleStart++;
        if (a.straddleEnd) s.straddleEnd++;
        // The tokens cover the response, and nothing more unless they straddle.
        assert.ok(r.starts[a.first]! <= span.start && r.ends[a.last]! >= span.end);
        if (!a.straddleStart && !a.straddleEnd) {
          assert.equal(r.starts[a.first], span.start);
          assert.equal(r.ends[a.last], span.end);
          // Independently: the detokenizer gives back exactly the response from its tokens.
          const text = tok.detokenize(r.tokens.slice(a.first, a.last + 1), false, r.tokens.slice(Math.max(0, a.first - 8), a.first));
          assert.equal(text, tr.text.slice(span.start, span.end));
        }
      });
    }
    const rows = [...perStudy].map(
      ([study, s]) =>
        `${study}: ${s.responses} responses, straddle start ${s.straddleStart}, end ${s.straddleEnd}, multi-byte texts ${s.multibyte}`,
    );
    t.diagnostic(`${vocab} straddle counts (first ${PER_STUDY} participants per study):\n${rows.join('\n')}`);
    assert.equal(perStudy.size, 18);
  });
}

test('multi-byte characters split across byte tokens get the whole character', { skip }, async () => {
  const tok = await loadVocab('ggml-vocab-gpt-2.gguf');
  const text = 'Wähle 日本 🙂 <<Ä😀>> und <<日本>>.';
  const r = tokenizeWithOffsets(tok, text);
  const spans = [
    { start: text.indexOf('Ä'), end: text.indexOf('Ä') + 3 },
    { start: text.lastIndexOf('日'), end: text.lastIndexOf('日') + 2 },
  ];
  const aligned = alignSpans(spans, r.starts, r.ends);
  aligned.forEach((a, i) => {
    const pieces = new Set<string>();
    for (let k = a.first; k <= a.last; k++) pieces.add(text.slice(r.starts[k], r.ends[k]));
    assert.equal([...pieces].join(''), text.slice(spans[i]!.start, spans[i]!.end));
    assert.ok(a.last - a.first + 1 >= 3, 'byte-level tokens');
  });
});

test('a response merged with its marker into one token is scored on that token and counted as straddling', { skip }, async () => {
  const { parseTranscript } = await import('../../src/data/parseTranscript.js');
  const cases: [string, string, boolean][] = [
    ['ggml-vocab-gpt-2.gguf', 'a <<->> b', true], // "->" is one token: the reference's `<<-` hazard
    ['ggml-vocab-phi-3.gguf', 'a <<=>> b', true], // "=>" is one SentencePiece token
    ['ggml-vocab-gpt-2.gguf', 'a <<=>> b', false],
    ['ggml-vocab-phi-3.gguf', 'a <<-5>> b', false],
  ];
  for (const [vocab, text, straddles] of cases) {
    const tok = await loadVocab(vocab);
    const r = tokenizeWithOffsets(tok, text);
    const [a] = alignSpans(parseTranscript(text).spans, r.starts, r.ends);
    assert.ok(a && a.first >= 0, `${vocab} ${text}`);
    assert.equal(
      a.straddleEnd,
      straddles,
      `${vocab} ${JSON.stringify(text)}: ${r.tokens.map((_, k) => text.slice(r.starts[k], r.ends[k])).join('|')}`,
    );
    assert.equal(a.straddleStart, false);
  }
});

test('stats --tokenizer counts the tokens of every transcript (plus BOS when the model adds one)', { skip }, async () => {
  const { runHumanlike } = await import('../helpers/runCliProcess.js');
  for (const [vocab, bos] of [
    ['ggml-vocab-gpt-2.gguf', 0],
    ['ggml-vocab-phi-3.gguf', 1],
  ] as const) {
    const tok = await loadVocab(vocab);
    let expected = 0;
    for await (const { transcript: t } of readTranscripts(psych201Dir, { studies: ['franke2024bayesian'] }))
      if (t) expected += tok.raw.tokenize(t.text, false).length + bos;
    const r = runHumanlike([
      'stats',
      psych201Dir,
      '--study',
      'franke2024bayesian',
      '--tokenizer',
      join(modelsDir, 'ggml-vocab', vocab),
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no engine noise on stderr');
    const s = JSON.parse(r.stdout) as { tokens: number; perStudy: { tokens: number }[] };
    assert.equal(s.tokens, expected);
    assert.equal(s.perStudy[0]?.tokens, expected);
  }
});

test("chat format with Phi-3's own template: special tokens, one BOS, and assistant turns aligned exactly", { skip }, async () => {
  const { readGgufFileInfo } = await import('node-llama-cpp');
  const { renderPrompt } = await import('../../src/prompts/renderPrompt.js');
  const { makeTranscript } = await import('../helpers/makeTranscript.js');
  const path = join(modelsDir, 'ggml-vocab', 'ggml-vocab-phi-3.gguf');
  const template = (await readGgufFileInfo(path)).metadata.tokenizer.chat_template as string;
  const tok = await loadVocab('ggml-vocab-phi-3.gguf');
  const text = 'You see two doors, A and B. Which do you open? <<A>> The room is empty. And now? <<B, the other one>> Thanks.';
  const t = makeTranscript(text);
  const r = renderPrompt(t, { format: 'chat', policy: 'windowed', chatTemplate: template, bosText: tok.bosText, eosText: tok.eosText });
  assert.ok(r.text.startsWith('<s><|user|>\nYou see two doors'), r.text.slice(0, 40));
  assert.equal(r.hasBosText, true);
  const enc = tokenizeWithOffsets(tok, r.text, true);
  assert.equal(enc.tokens[0], tok.bos, 'the template renders BOS: it is a special token, once');
  assert.equal(enc.tokens.filter((x) => x === tok.bos).length, 1);
  const user = tok.tokenize('<|user|>', true);
  assert.equal(user.length, 1, '<|user|> is one special token');
  assert.ok(enc.tokens.includes(user[0]!));
  const aligned = alignSpans(
    r.spans.filter((s): s is NonNullable<typeof s> => s !== undefined),
    enc.starts,
    enc.ends,
  );
  aligned.forEach((a, i) => {
    const span = r.spans[i]!;
    assert.equal(r.text.slice(span.start, span.end), ['A', 'B, the other one'][i]);
    // After a special token SentencePiece reads "▁A": the response's first token also holds the whitespace before
    // it (a straddle, counted), never any other character; nothing after the response is scored with it.
    assert.equal(a.straddleEnd, false);
    const covered = r.text.slice(enc.starts[a.first], enc.ends[a.last]);
    assert.equal(covered.trimStart(), text.slice(t.spans[i]!.start, t.spans[i]!.end));
    assert.equal(a.straddleStart, covered !== covered.trimStart());
  });
});
