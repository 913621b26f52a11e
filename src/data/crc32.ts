import zlib from 'node:zlib';

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 (the zip checksum) of `bytes`, continuing from `previous`, the CRC of the bytes before them. Uses zlib's
 * native crc32 where Node has it (20.15 and newer); a table-driven fallback otherwise.
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(bytes, previous);
  const t = crcTable();
  let c = (previous ^ 0xffffffff) >>> 0;
  for (const b of bytes) c = (t[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
