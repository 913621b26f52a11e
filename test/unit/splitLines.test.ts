import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findInvalidUtf8, type SplitLine, splitLines } from '../../src/data/splitLines.js';

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(bytes: Buffer, size: number, maxLineBytes?: number): Promise<SplitLine[]> {
  const out: SplitLine[] = [];
  for await (const l of splitLines(chunked(bytes, size), maxLineBytes === undefined ? {} : { maxLineBytes })) out.push(l);
  return out;
}

test('lines split across any chunk size: BOM dropped, CRLF, a too-long line skipped to its newline, strict UTF-8', async () => {
  const bytes = Buffer.concat([
    Buffer.from('\uFEFFfirst \u00e9\u{1F600}\r\n'),
    Buffer.from('x'.repeat(25) + '\n'),
    Buffer.from('ok\n\n'),
    Buffer.from([0x61, 0xe2, 0x82, 0x0a]), // a truncated 3-byte sequence
    Buffer.from('last \uFFFD no newline'),
  ]);
  for (const size of [1, 2, 3, 7, 64, 1000]) {
    const lines = await collect(bytes, size, 20);
    assert.deepEqual(
      lines.map((l) => [l.text, l.problem?.code, l.problem?.column]),
      [
        ['first \u00e9\u{1F600}', undefined, undefined],
        ['', 'line-too-long', 1],
        ['ok', undefined, undefined],
        ['', undefined, undefined],
        ['', 'invalid-utf8', 2],
        ['last \uFFFD no newline', undefined, undefined],
      ],
      `chunk size ${size}`,
    );
    assert.match(lines[1]!.problem!.message, /25 bytes, over the limit of 20 bytes/);
  }
});

test('a BOM is dropped only at the start of the stream', async () => {
  const lines = await collect(Buffer.from('\uFEFFa\n\uFEFFb\n'), 1);
  assert.deepEqual(
    lines.map((l) => l.text),
    ['a', '\uFEFFb'],
  );
});

test('findInvalidUtf8 skips a literal U+FFFD and finds the first bad byte', () => {
  assert.equal(findInvalidUtf8(Buffer.from('ok \uFFFD fine')), -1);
  assert.equal(findInvalidUtf8(Buffer.concat([Buffer.from('\uFFFD\u00e9'), Buffer.from([0xc0, 0x80])])), 5);
  assert.equal(findInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80])), 0); // an encoded surrogate
});
