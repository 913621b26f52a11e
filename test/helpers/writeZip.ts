import { writeFileSync } from 'node:fs';
import zlib, { constants, deflateRawSync } from 'node:zlib';

const CRC_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `buf`, continuing from `previous` (the CRC of the bytes before it). */
function crc32(buf: Buffer, previous = 0): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf, previous);
  let c = (previous ^ 0xffffffff) >>> 0;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntryInput {
  name: string;
  data: Buffer | string;
  /** Lie about the uncompressed size in the headers (to test that limits are enforced on the stream). */
  declaredSize?: number;
  /** 'store' writes the bytes uncompressed (method 0): a flipped byte then inflates silently. Default 'deflate'. */
  method?: 'deflate' | 'store';
}

/**
 * Write a zip archive by hand (deflate, no extras). Tests need archives that real zip tools refuse to make:
 * entry names with `..` or absolute paths, and entries whose headers lie about their size.
 */
export function writeZip(path: string, entries: readonly ZipEntryInput[]): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const stored = e.method === 'store';
    const compressed = stored ? data : deflateRawSync(data);
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(data);
    const size = e.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(stored ? 0 : 8, 8); // store or deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(stored ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(path, Buffer.concat([...locals, ...centrals, end]));
}

/**
 * Write a zip with one deflated entry `head + repeat × times + tail` without ever holding it inflated: each part is
 * deflated once with a sync flush (so the compressed parts can be concatenated) and the repeated part is written
 * `times` times. A 2 GiB entry costs a few MB of zip and a second of CRC. The entry must stay under 4 GiB (no zip64).
 */
export function writeRepeatedZip(path: string, name: string, parts: { head: Buffer; repeat: Buffer; times: number; tail: Buffer }): number {
  const { head, repeat, times, tail } = parts;
  const flushed = (b: Buffer): Buffer => deflateRawSync(b, { finishFlush: constants.Z_SYNC_FLUSH });
  const repeated = flushed(repeat);
  const compressed = [flushed(head), ...Array.from({ length: times }, () => repeated), flushed(tail), Buffer.from([0x03, 0x00])];
  let crc = crc32(head);
  for (let i = 0; i < times; i++) crc = crc32(repeat, crc);
  crc = crc32(tail, crc);
  const size = head.length + repeat.length * times + tail.length;
  if (size >= 2 ** 32) throw new Error('writeRepeatedZip: entry too large for a zip without zip64');
  const compressedSize = compressed.reduce((n, b) => n + b.length, 0);
  const nameBytes = Buffer.from(name, 'utf8');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0800, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(compressedSize, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(compressedSize, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(local.length + nameBytes.length + compressedSize, 16);
  writeFileSync(path, Buffer.concat([local, nameBytes, ...compressed, central, nameBytes, end]));
  return size;
}
