import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { ReadProblem } from './types.js';

/** One line of a byte stream: its text, or the reason it cannot be read (then `text` is empty). */
export interface SplitLine {
  text: string;
  problem?: ReadProblem;
}

export interface SplitLinesOptions {
  /** A longer line is not kept in memory: it is skipped to its newline and reported `line-too-long`. */
  maxLineBytes?: number;
}

const BOM = [0xef, 0xbb, 0xbf] as const;
const formatBytes = (n: number): string => n.toLocaleString('en-US');

/**
 * 0-based offset of the first byte that is not valid UTF-8, or -1. Node decodes invalid bytes as U+FFFD; a U+FFFD
 * that was not written as the bytes EF BF BD in the line marks the first invalid sequence.
 */
export function findInvalidUtf8(line: Buffer): number {
  const decoded = line.toString('utf8');
  let byte = 0;
  let from = 0;
  for (let k = decoded.indexOf('\uFFFD'); k !== -1; k = decoded.indexOf('\uFFFD', k + 1)) {
    byte += Buffer.byteLength(decoded.slice(from, k));
    if (line[byte] !== 0xef || line[byte + 1] !== 0xbf || line[byte + 2] !== 0xbd) return byte;
    byte += 3;
    from = k + 1;
  }
  return -1;
}

/** Decode one complete line: strict UTF-8, a `\r` before the newline dropped, a BOM dropped on the first line. */
function decodeLine(bytes: Buffer, first: boolean): SplitLine {
  let line = bytes;
  if (first && line[0] === BOM[0] && line[1] === BOM[1] && line[2] === BOM[2]) line = line.subarray(3);
  if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, -1);
  if (isUtf8(line)) return { text: line.toString('utf8') };
  const at = findInvalidUtf8(line);
  const hex = (line[at] ?? 0).toString(16).padStart(2, '0');
  return {
    text: '',
    problem: {
      code: 'invalid-utf8',
      column: at + 1,
      message: `invalid UTF-8 at byte ${at + 1} of the line (0x${hex}); the file must be UTF-8`,
    },
  };
}

/**
 * Split a byte stream into lines without readline's per-line overhead. Yields each line without its terminator
 * (`\n` or `\r\n`), including a last line with no terminator. Memory holds one line at most, and never more than
 * `maxLineBytes` of it: a longer line is counted to its newline without being kept.
 */
export async function* splitLines(stream: Readable | AsyncIterable<Buffer>, options: SplitLinesOptions = {}): AsyncGenerator<SplitLine> {
  const maxBytes = options.maxLineBytes ?? Number.POSITIVE_INFINITY;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLongBytes = -1; // while skipping a line over the limit: its bytes so far
  let first = true;
  const finish = (): SplitLine => {
    let out: SplitLine;
    if (tooLongBytes >= 0) {
      out = {
        text: '',
        problem: {
          code: 'line-too-long',
          column: 1,
          message: `line has ${formatBytes(tooLongBytes)} bytes, over the limit of ${formatBytes(maxBytes)} bytes (8 × --max-text-chars + 1 MiB); skipped`,
        },
      };
    } else {
      out = decodeLine(pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes), first);
    }
    pending = [];
    pendingBytes = 0;
    tooLongBytes = -1;
    first = false;
    return out;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(10, from);
      const piece = chunk.subarray(from, nl === -1 ? chunk.length : nl);
      if (tooLongBytes >= 0) tooLongBytes += piece.length;
      else if (pendingBytes + piece.length > maxBytes) {
        tooLongBytes = pendingBytes + piece.length;
        pending = [];
        pendingBytes = 0;
      } else if (piece.length > 0) {
        pending.push(piece);
        pendingBytes += piece.length;
      }
      if (nl === -1) break;
      yield finish();
      from = nl + 1;
    }
  }
  if (pendingBytes > 0 || tooLongBytes >= 0) yield finish();
}
