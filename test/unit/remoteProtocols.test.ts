import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type RemoteProtocolName, remoteProtocol } from '../../src/backends/remote/protocols/protocolRegistry.js';

const buildScoreRequest = (p: RemoteProtocolName, model: string, tokens: number[], text?: string) =>
  remoteProtocol(p).buildRequest(model, tokens, text);
const parseScoreResponse = (p: RemoteProtocolName, endpoint: string, json: unknown, tokens: number[], positions: number[]) =>
  remoteProtocol(p).parseResponse(endpoint, json, tokens, positions);

import { displayUrl, registerSecret, registerUrlCredentials, scrubSecrets } from '../../src/backends/remote/redactSecrets.js';
import { detectPieceStyle, rangesFromPieces } from '../../src/backends/remote/tokenPieces.js';

// Shapes as documented by vLLM (/v1/completions with prompt_logprobs), SGLang (/generate with return_logprob) and
// TGI (/generate with decoder_input_details). Token 1 is BOS; 9999 is a byte token of a multi-byte character.
const tokens = [1, 450, 9999, 2];

const vllm = {
  id: 'cmpl-x',
  object: 'text_completion',
  model: 'm',
  choices: [
    {
      index: 0,
      text: ' the',
      finish_reason: 'length',
      prompt_logprobs: [
        null,
        { '450': { logprob: -2.5, rank: 3, decoded_token: ' cat' }, '13': { logprob: -0.5, rank: 1, decoded_token: ' a' } },
        { '9999': { logprob: -0.25, rank: 1, decoded_token: '\ufffd' } },
        { '2': { logprob: -9999.0, rank: 31000, decoded_token: '</s>' }, '29889': { logprob: -0.1, rank: 1, decoded_token: '.' } },
      ],
      prompt_token_ids: tokens,
    },
  ],
};

test('vLLM: request carries ids and prompt_logprobs; the null first entry and top-k maps are read by token id', () => {
  const req = buildScoreRequest('vllm', 'm', tokens);
  assert.equal(req.path, '/v1/completions');
  assert.deepEqual(req.body, { model: 'm', prompt: tokens, max_tokens: 1, temperature: 0, prompt_logprobs: 1, add_special_tokens: false });
  const scores = parseScoreResponse('vllm', 'e', vllm, tokens, [1, 2, 3]);
  assert.deepEqual(scores, [
    { logprob: -2.5, top1: false },
    { logprob: -0.25, top1: true },
    { logprob: -9999, top1: false },
  ]);
});

test('vLLM: a response without prompt_logprobs, with the wrong length, or missing the actual token is an error', () => {
  assert.throws(() => parseScoreResponse('vllm', 'e', { choices: [{ text: '' }] }, tokens, [1]), /no choices\[0\]\.prompt_logprobs/);
  const short = structuredClone(vllm);
  short.choices[0]!.prompt_logprobs.pop();
  assert.throws(() => parseScoreResponse('vllm', 'e', short, tokens, [1]), /3 entries for 4 prompt tokens/);
  const wrong = structuredClone(vllm);
  delete (wrong.choices[0]!.prompt_logprobs[2] as Record<string, unknown>)['9999'];
  assert.throws(() => parseScoreResponse('vllm', 'e', wrong, tokens, [2]), /no log-probability for token 9999 at position 2/);
});

test('SGLang: input_token_logprobs triples with a null first entry; top-1 from input_top_logprobs', () => {
  const req = buildScoreRequest('sglang', 'm', tokens);
  assert.deepEqual(req.body, {
    input_ids: tokens,
    sampling_params: { max_new_tokens: 1, temperature: 0 },
    return_logprob: true,
    logprob_start_len: 0,
    top_logprobs_num: 1,
  });
  const res = {
    text: ' the',
    meta_info: {
      prompt_tokens: 4,
      input_token_logprobs: [
        [null, 1, null],
        [-2.5, 450, ' cat'],
        [-0.25, 9999, '\ufffd'],
        [-3, 2, '</s>'],
      ],
      input_top_logprobs: [null, [[-0.5, 13, ' a']], [[-0.25, 9999, '\ufffd']], [[-0.1, 29889, '.']]],
    },
  };
  assert.deepEqual(parseScoreResponse('sglang', 'e', res, tokens, [1, 2, 3]), [
    { logprob: -2.5, top1: false },
    { logprob: -0.25, top1: true },
    { logprob: -3, top1: false },
  ]);
  const mismatched = structuredClone(res);
  mismatched.meta_info.input_token_logprobs[2] = [-0.25, 777, 'x'];
  assert.throws(() => parseScoreResponse('sglang', 'e', mismatched, tokens, [2]), /expected token 9999/);
});

// SGLang with token_ids_logprob: at every prompt position (the first null), one [logprob, id, text] per requested id.
// Position 1 offers tokens 450 (actual) and 13; position 3 offers 2 (actual), 29889 and 13: the union is asked once.
const sgAlternatives = new Map<number, number[]>([
  [1, [450, 13]],
  [3, [29889, 2, 13]],
]);
const sgIdsReply = () => ({
  meta_info: {
    input_token_logprobs: [
      [null, 1, null],
      [-2.5, 450, null],
      [-0.25, 9999, null],
      [-3, 2, null],
    ],
    input_top_logprobs: [null, [[-0.5, 13, null]], [[-0.25, 9999, null]], [[-0.1, 29889, null]]],
    input_token_ids_logprobs: [
      null,
      [
        [-0.5, 13, null],
        [-7, 2, null],
        [-2.5, 450, null],
        [-4, 29889, null],
      ],
      [
        [-6, 13, null],
        [-8, 2, null],
        [-9, 450, null],
        [-5, 29889, null],
      ],
      [
        [-3.5, 13, null],
        [-3, 2, null],
        [-5, 450, null],
        [-0.1, 29889, null],
      ],
    ] as unknown[],
  },
});

test('SGLang: alternatives are asked as the union of their ids and read back per position, in the order asked', () => {
  assert.equal(remoteProtocol('sglang').alternatives, true);
  assert.equal(remoteProtocol('vllm').alternatives, false);
  assert.equal(remoteProtocol('tgi').alternatives, false);
  const req = remoteProtocol('sglang').buildRequest('m', tokens, undefined, sgAlternatives);
  assert.deepEqual(req.body['token_ids_logprob'], [2, 13, 450, 29889]);
  assert.equal(req.body['return_logprob'], true);
  assert.equal(req.body['logprob_start_len'], 0);
  // Without alternatives the request is unchanged.
  assert.equal('token_ids_logprob' in remoteProtocol('sglang').buildRequest('m', tokens, undefined).body, false);
  assert.equal('token_ids_logprob' in remoteProtocol('sglang').buildRequest('m', tokens, undefined, new Map()).body, false);
  assert.deepEqual(remoteProtocol('sglang').parseResponse('e', sgIdsReply(), tokens, [1, 2, 3], sgAlternatives), [
    { logprob: -2.5, top1: false, alternatives: [-2.5, -0.5] },
    { logprob: -0.25, top1: true },
    { logprob: -3, top1: false, alternatives: [-0.1, -3, -3.5] },
  ]);
});

test('SGLang: impossible alternatives are refused naming the endpoint (missing id, wrong lengths, NaN, > 0, disagreement)', () => {
  const parse = (json: unknown): unknown => remoteProtocol('sglang').parseResponse('http://sg:30000', json, tokens, [1, 3], sgAlternatives);
  const cases: [string, (r: ReturnType<typeof sgIdsReply>) => void, RegExp][] = [
    [
      'no list',
      (r) => delete (r.meta_info as Record<string, unknown>)['input_token_ids_logprobs'],
      /no meta_info\.input_token_ids_logprobs/,
    ],
    ['short list', (r) => r.meta_info.input_token_ids_logprobs.pop(), /input_token_ids_logprobs has 3 entries for 4 prompt tokens/],
    ['null entry', (r) => (r.meta_info.input_token_ids_logprobs[3] = null), /position 3/],
    ['missing id', (r) => (r.meta_info.input_token_ids_logprobs[3] as unknown[]).splice(3, 1), /position 3/],
    ['id replaced', (r) => ((r.meta_info.input_token_ids_logprobs[1] as unknown[][])[0] = [-0.5, 14, null]), /token 13 at position 1/],
    ['extra id', (r) => (r.meta_info.input_token_ids_logprobs[1] as unknown[]).push([-9, 77, null]), /position 1/],
    [
      'NaN',
      (r) => ((r.meta_info.input_token_ids_logprobs[1] as unknown[][])[0]![0] = Number.NaN),
      /impossible log-probability NaN at position 1/,
    ],
    [
      'positive',
      (r) => ((r.meta_info.input_token_ids_logprobs[3] as unknown[][])[3]![0] = 0.5),
      /impossible log-probability 0\.5 at position 3/,
    ],
    [
      'string',
      (r) => ((r.meta_info.input_token_ids_logprobs[3] as unknown[][])[0]![0] = '-2'),
      /impossible log-probability -2 at position 3/,
    ],
    // The actual token's alternative must be its own log-probability (else the positions are shifted).
    ['disagree', (r) => ((r.meta_info.input_token_ids_logprobs[1] as unknown[][])[2]![0] = -1.5), /token 450 at position 1/],
    // Distinct tokens never hold more than all the probability mass.
    ['mass', (r) => ((r.meta_info.input_token_ids_logprobs[3] as unknown[][])[0]![0] = -0.05), /more than 1/],
  ];
  for (const [name, mutate, re] of cases) {
    const r = sgIdsReply();
    mutate(r);
    assert.throws(
      () => parse(r),
      (e: Error) => e.name !== 'TypeError' && /http:\/\/sg:30000/.test(e.message) && re.test(e.message),
      name,
    );
  }
  // Positions not asked about need no list at all.
  const bare = sgIdsReply();
  delete (bare.meta_info as Record<string, unknown>)['input_token_ids_logprobs'];
  assert.deepEqual(remoteProtocol('sglang').parseResponse('e', bare, tokens, [2], new Map()), [{ logprob: -0.25, top1: true }]);
});

test('TGI: prefill details by id; a server tokenizing differently is refused', () => {
  const req = buildScoreRequest('tgi', 'm', tokens, 'the cat');
  assert.deepEqual(req.body, { inputs: 'the cat', parameters: { max_new_tokens: 1, details: true, decoder_input_details: true } });
  const res = {
    generated_text: '.',
    details: {
      prefill: [
        { id: 1, text: '<s>', logprob: null },
        { id: 450, text: ' cat', logprob: -2.5 },
        { id: 9999, text: '', logprob: -0.25 },
        { id: 2, text: '</s>', logprob: -3 },
      ],
    },
  };
  assert.deepEqual(parseScoreResponse('tgi', 'e', res, tokens, [1, 3]), [
    { logprob: -2.5, top1: false },
    { logprob: -3, top1: false },
  ]);
  const other = structuredClone(res);
  other.details.prefill[1]!.id = 451;
  assert.throws(() => parseScoreResponse('tgi', 'e', other, tokens, [1]), /tokenized the text differently/);
});

test('vocabulary pieces give exact character ranges, byte-level and SentencePiece, multi-byte included', () => {
  // GPT-2 style: "Wähle <<Ä>>" with ä and Ä split into byte tokens (Ã + ¤ is ä, Ã + Ħ is Ä in the byte map).
  const text = 'Wähle <<Ä>>';
  const bpe = ['W', 'Ã', '¤', 'hle', 'Ġ<<', 'Ã', 'Ħ', '>>'];
  assert.equal(detectPieceStyle(bpe), 'byte-level');
  const r = rangesFromPieces(text, bpe, 'byte-level')!;
  assert.deepEqual([...r.starts], [0, 1, 1, 2, 5, 8, 8, 9]);
  assert.deepEqual([...r.ends], [1, 2, 2, 5, 8, 9, 9, 11]);
  // SentencePiece with a dummy-prefix space and byte fallback for 😀 (4 bytes).
  const spm = ['▁Hi', '▁<<', '<0xF0>', '<0x9F>', '<0x98>', '<0x80>', '>>'];
  assert.equal(detectPieceStyle(spm), 'sentencepiece');
  const s = rangesFromPieces('Hi <<😀>>', spm, 'sentencepiece')!;
  assert.deepEqual([...s.starts], [0, 2, 5, 5, 5, 5, 7]);
  assert.deepEqual([...s.ends], [2, 5, 7, 7, 7, 7, 9]);
  assert.equal(rangesFromPieces('Hello', ['He', 'lp'], 'byte-level'), undefined);
});

test('impossible log-probabilities are refused: non-finite, positive beyond rounding, overflowing the sum', () => {
  const withLp = (lp: number): typeof vllm => {
    const v = structuredClone(vllm);
    (v.choices[0]!.prompt_logprobs[2] as Record<string, { logprob: number }>)['9999']!.logprob = lp;
    return v;
  };
  for (const lp of [5, 1e-3, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e308]) {
    assert.throws(
      () => parseScoreResponse('vllm', 'e', withLp(lp), tokens, [2]),
      /impossible log-probability .* at position 2/,
      `logprob ${lp}`,
    );
  }
  // Tiny positive rounding (≤ 1e-4) is read as 0; vLLM's clamp at −9999 is a real value.
  assert.deepEqual(parseScoreResponse('vllm', 'e', withLp(5e-5), tokens, [2]), [{ logprob: 0, top1: true }]);
  assert.deepEqual(parseScoreResponse('vllm', 'e', withLp(-9999), tokens, [2]), [{ logprob: -9999, top1: true }]);
  // A non-number (a string '-0.5') is refused, not coerced.
  assert.throws(() => parseScoreResponse('vllm', 'e', withLp('-0.5' as unknown as number), tokens, [2]), /no log-probability|impossible/);
  // SGLang and TGI values are checked the same way.
  const sg = {
    meta_info: {
      input_token_logprobs: [
        [null, 1, null],
        [2.5, 450, 'x'],
        [-0.25, 9999, 'y'],
        [-3, 2, 'z'],
      ],
      input_top_logprobs: [null, [[2.5, 450, 'x']], [[-0.25, 9999, 'y']], [[-0.1, 29889, '.']]],
    },
  };
  assert.throws(() => parseScoreResponse('sglang', 'e', sg, tokens, [1]), /impossible log-probability 2\.5 at position 1/);
  const tgi = {
    details: {
      prefill: [
        { id: 1, logprob: null },
        { id: 450, logprob: -1e308 },
        { id: 9999, logprob: -0.25 },
        { id: 2, logprob: -3 },
      ],
    },
  };
  assert.throws(() => parseScoreResponse('tgi', 'e', tgi, tokens, [1]), /impossible log-probability -1e\+308 at position 1/);
});

test('rank claims that contradict the returned top entries are refused', () => {
  // The actual token claims rank 1 but another returned token is more likely.
  const rank1 = structuredClone(vllm);
  (rank1.choices[0]!.prompt_logprobs[1] as Record<string, { rank: number }>)['450']!.rank = 1;
  assert.throws(() => parseScoreResponse('vllm', 'e', rank1, tokens, [1]), /contradict/);
  // A token ranked 3 that is more likely than the token ranked 1.
  const lower = structuredClone(vllm);
  (lower.choices[0]!.prompt_logprobs[1] as Record<string, { logprob: number }>)['450']!.logprob = -0.1;
  assert.throws(() => parseScoreResponse('vllm', 'e', lower, tokens, [1]), /contradict/);
  // A rank that is not a positive integer.
  const zero = structuredClone(vllm);
  (zero.choices[0]!.prompt_logprobs[2] as Record<string, { rank: number }>)['9999']!.rank = 0;
  assert.throws(() => parseScoreResponse('vllm', 'e', zero, tokens, [2]), /rank 0/);
  // Two distinct tokens whose probabilities add up to more than 1.
  const mass = structuredClone(vllm);
  (mass.choices[0]!.prompt_logprobs[1] as Record<string, { logprob: number }>)['450']!.logprob = -0.6;
  (mass.choices[0]!.prompt_logprobs[1] as Record<string, { logprob: number }>)['13']!.logprob = -0.5;
  assert.throws(() => parseScoreResponse('vllm', 'e', mass, tokens, [1]), /add up to more than 1/);
  // SGLang: the top-1 list names the actual token with another log-probability, or a worse one than the actual token.
  const sg = {
    meta_info: {
      input_token_logprobs: [
        [null, 1, null],
        [-2.5, 450, 'x'],
        [-0.25, 9999, 'y'],
        [-3, 2, 'z'],
      ],
      input_top_logprobs: [null, [[-0.5, 450, 'x']], [[-0.9, 77, 'y']], [[-0.1, 29889, '.']]],
    },
  };
  assert.throws(() => parseScoreResponse('sglang', 'e', sg, tokens, [1]), /contradict/);
  assert.throws(() => parseScoreResponse('sglang', 'e', sg, tokens, [2]), /contradict/);
});

test('one URL redactor; secrets scrubbed from any text in the forms a server could echo', () => {
  assert.equal(displayUrl('http://u:p%40ss@gpu1:8000/v1/?token=abc'), 'http://gpu1:8000/v1');
  assert.equal(displayUrl('not a url'), '(invalid URL)');
  registerSecret('sk-unit-canary-9');
  registerUrlCredentials('http://unituser:p%40ss:w0rd@gpu1:8000');
  const text = [
    'Bearer sk-unit-canary-9',
    JSON.stringify({ key: 'sk-unit-canary-9' }),
    `Basic ${Buffer.from('unituser:p@ss:w0rd').toString('base64')}`,
    'password p@ss:w0rd',
    'encoded p%40ss%3Aw0rd',
    'user unituser',
    'see https://someone:hunter22@other.example/x',
  ].join('\n');
  const out = scrubSecrets(text);
  for (const leak of [
    'sk-unit-canary-9',
    'p@ss:w0rd',
    'p%40ss',
    'unituser',
    Buffer.from('unituser:p@ss:w0rd').toString('base64'),
    'hunter22',
    'someone',
  ]) {
    assert.ok(!out.includes(leak), `${leak} left in ${out}`);
  }
  assert.match(out, /Bearer \*\*\*/);
  assert.match(out, /https:\/\/other\.example\/x/);
});
