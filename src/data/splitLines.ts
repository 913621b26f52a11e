import type { Readable } from 'node:stream';

/**
 * Split a byte stream into UTF-8 lines without readline's per-line overhead. Yields each line without its
 * terminator (`\n` or `\r\n`), including a last line with no terminator. Memory holds one line at most.
 */
export async function* splitLines(stream: Readable | AsyncIterable<Buffer>): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      let line = pending.length === 0 ? piece.toString('utf8') : Buffer.concat([...pending, piece]).toString('utf8');
      pending = [];
      if (line.endsWith('\r')) line = line.slice(0, -1);
      yield line;
      from = nl + 1;
    }
    if (from < chunk.length) pending.push(chunk.subarray(from));
  }
  if (pending.length > 0) {
    let line = Buffer.concat(pending).toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    yield line;
  }
}
