import { type Readable, Transform } from 'node:stream';
import yauzl from 'yauzl';
import { DataError, UnsafeArchiveError } from '../errors.js';
import { crc32 } from './crc32.js';

/** Options for reading zip archives safely. */
export interface ZipLimits {
  /** Refuse an entry that inflates past this many bytes (zip-bomb guard). Default 8 GiB. */
  maxEntryBytes?: number;
}

export const DEFAULT_MAX_ENTRY_BYTES = 8 * 1024 ** 3;

/** Entries a dataset reader should skip: macOS resource forks and hidden files. */
export function isIgnoredEntry(name: string): boolean {
  const parts = name.split('/');
  return parts.includes('__MACOSX') || parts.some((p) => p.startsWith('.') && p !== '.' && p !== '..') || name.endsWith('/');
}

/** A zip entry name that would escape the folder it is extracted to (`..`, absolute, drive letter, backslash). */
export function isUnsafeEntryName(name: string): boolean {
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) return true;
  return name.split(/[\\/]/).includes('..');
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings off: yauzl would reject unsafe names with a generic error; we check them ourselves so the
    // message can name the archive and the entry.
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: false }, (err, zip) => {
      if (err || !zip) reject(new DataError(`${path}: not a readable zip archive (${err?.message ?? 'unknown error'})`, { cause: err }));
      else resolve(zip);
    });
  });
}

export interface ZipEntryStream {
  name: string;
  stream: Readable;
}

/**
 * Stream the `.jsonl` entries of a zip archive one after another. Unsafe names and oversized entries are refused
 * with a DataError naming the archive and entry; the byte limit is enforced on the inflated stream itself, not on
 * the sizes the archive claims. The CRC-32 of each entry is checked as it streams: a mismatch ends the stream with
 * a DataError (the lines read before it were already yielded; validate reports the file as unreadable).
 */
export async function* readZipEntries(
  path: string,
  accept: (name: string) => boolean,
  limits: ZipLimits = {},
): AsyncGenerator<ZipEntryStream> {
  const maxBytes = limits.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const zip = await openZip(path);
  try {
    const entries: yauzl.Entry[] = await new Promise((resolve, reject) => {
      const all: yauzl.Entry[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        all.push(e);
        zip.readEntry();
      });
      zip.on('end', () => resolve(all));
      zip.on('error', (e: Error) => reject(new DataError(`${path}: corrupt zip archive (${e.message})`, { cause: e })));
      zip.readEntry();
    });
    for (const entry of entries) {
      const name = Buffer.isBuffer(entry.fileName) ? (entry.fileName as Buffer).toString('utf8') : entry.fileName;
      if (isUnsafeEntryName(name)) {
        throw new UnsafeArchiveError(
          `${path}: refused zip entry '${name}': its path is absolute or contains '..' (it could write outside the dataset)`,
        );
      }
      if (isIgnoredEntry(name) || !accept(name)) continue;
      if (entry.uncompressedSize > maxBytes) {
        throw new UnsafeArchiveError(
          `${path}!${name}: refused: the entry declares ${entry.uncompressedSize} bytes, over the limit of ${maxBytes} (zip bomb guard; raise --max-inflate-bytes if this is real)`,
        );
      }
      const raw: Readable = await new Promise((resolve, reject) => {
        zip.openReadStream(entry, (err, s) =>
          err || !s ? reject(new DataError(`${path}!${name}: cannot inflate (${err?.message})`, { cause: err })) : resolve(s),
        );
      });
      let seen = 0;
      let crc = 0;
      const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
      const guard = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          seen += chunk.length;
          crc = crc32(chunk, crc);
          if (seen > maxBytes)
            cb(
              new UnsafeArchiveError(
                `${path}!${name}: refused: inflates past the limit of ${maxBytes} bytes (zip bomb guard; raise --max-inflate-bytes if this is real)`,
              ),
            );
          else cb(null, chunk);
        },
        flush(cb) {
          // yauzl checks sizes, never the checksum: a flipped byte in a stored entry would read as data.
          if (crc >>> 0 === entry.crc32 >>> 0) cb();
          else
            cb(
              new DataError(
                `${path}!${name}: corrupt entry: CRC-32 of the data is ${hex(crc)}, the archive records ${hex(entry.crc32)} (the file is damaged)`,
              ),
            );
        },
      });
      raw.on('error', (e) => {
        // yauzl checks the inflated size against the declared one: a mismatch is a forged header, not bad luck.
        const forged = /too (many|few) bytes/.test(e.message);
        guard.destroy(
          forged
            ? new UnsafeArchiveError(
                `${path}!${name}: refused: inflates to a size other than the ${entry.uncompressedSize} bytes it declares (forged header)`,
                { cause: e },
              )
            : new DataError(`${path}!${name}: corrupt entry (${e.message})`, { cause: e }),
        );
      });
      yield { name, stream: raw.pipe(guard) };
    }
  } finally {
    zip.close();
  }
}
