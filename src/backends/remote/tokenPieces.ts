/**
 * Vocabulary pieces as tokenizers store them (the strings of `tokenizer.ggml.tokens`, or vLLM's `token_strs`) turned
 * back into bytes, so that token character ranges follow exactly from byte lengths. Two conventions exist:
 * byte-level BPE (GPT-2, Llama 3, Qwen) maps every byte to a printable character (space → `Ġ`, newline → `Ċ`);
 * SentencePiece (Llama 2, Phi-3) writes spaces as `▁` and unknown bytes as `<0xNN>`.
 */
export type PieceStyle = 'byte-level' | 'sentencepiece';

const BYTE_TO_CHAR: string[] = ((): string[] => {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCharCode(printable.includes(b) ? b : 256 + n++);
  return map;
})();
const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));
const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** Guess the convention from some pieces: `▁` means SentencePiece; otherwise byte-level. */
export function detectPieceStyle(pieces: readonly string[]): PieceStyle {
  return pieces.some((p) => p.includes('\u2581') || BYTE_PIECE.test(p)) ? 'sentencepiece' : 'byte-level';
}

export function pieceBytes(piece: string, style: PieceStyle): Buffer {
  if (style === 'sentencepiece') {
    const m = BYTE_PIECE.exec(piece);
    if (m) return Buffer.from([parseInt(m[1] ?? '0', 16)]);
    return Buffer.from(piece.replaceAll('\u2581', ' '), 'utf8');
  }
  const out: number[] = [];
  for (const ch of piece) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b === undefined) return Buffer.from(piece, 'utf8'); // a special token written as text
    out.push(b);
  }
  return Buffer.from(out);
}

/**
 * Character ranges of tokens from their pieces: the pieces' bytes must concatenate to the text's UTF-8 (a
 * SentencePiece dummy-prefix space is allowed); a token holding part of a multi-byte character gets that whole
 * character. Returns undefined when the pieces do not rebuild the text.
 */
export function rangesFromPieces(
  text: string,
  pieces: readonly string[],
  style: PieceStyle,
): { starts: Int32Array; ends: Int32Array } | undefined {
  const target = Buffer.from(text, 'utf8');
  const bytes = pieces.map((p) => pieceBytes(p, style));
  let skip = 0;
  const all = Buffer.concat(bytes);
  if (!all.equals(target)) {
    if (all.length === target.length + 1 && all[0] === 0x20 && all.subarray(1).equals(target)) skip = 1;
    else return undefined;
  }
  // UTF-16 offset at each byte offset (start of the character containing it).
  const charAt = new Int32Array(target.length + 1);
  let b = 0;
  let c = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    for (let k = 0; k < n; k++) charAt[b + k] = c;
    b += n;
    c += ch.length;
  }
  charAt[target.length] = c;
  const charEnd = (byte: number): number => {
    // The end of the character that contains byte-1 (a partial character counts whole).
    if (byte <= 0) return 0;
    if (byte >= target.length) return c;
    return charAt[byte] === charAt[byte - 1] ? nextCharStart(byte) : (charAt[byte] ?? c);
  };
  const nextCharStart = (byte: number): number => {
    let k = byte;
    while (k < target.length && charAt[k] === charAt[byte - 1]) k++;
    return charAt[k] ?? c;
  };
  const starts = new Int32Array(pieces.length);
  const ends = new Int32Array(pieces.length);
  let pos = -skip;
  bytes.forEach((piece, i) => {
    const s = Math.max(0, pos);
    const e = Math.max(0, pos + piece.length);
    starts[i] = charAt[Math.min(s, target.length)] ?? c;
    ends[i] = Math.max(starts[i] ?? 0, charEnd(e));
    pos += piece.length;
  });
  return { starts, ends };
}
