import { DataError } from '../errors.js';
import { readSmallTextFile } from './readUserFile.js';

/** One CSV row: its cells (trimmed) and the 1-based line it starts on, for messages. */
export interface CsvRow {
  line: number;
  cells: string[];
}

/**
 * Parse CSV text (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks). Blank lines are
 * skipped; a BOM is ignored. Small tables only (domains, models): the whole text is in memory.
 */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const src = text.replace(/^\uFEFF/, '');
  let cells: string[] = [];
  let cur = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = (): void => {
    cells.push(cur);
    if (cells.length > 1 || cells[0]!.trim() !== '') rows.push({ line: rowLine, cells: cells.map((c) => c.trim()) });
    cells = [];
    cur = '';
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\n') line++;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cur);
      cur = '';
    } else if (c === '\n') {
      endRow();
      rowLine = line;
    } else if (c !== '\r') cur += c;
  }
  if (quoted) throw new DataError(`line ${rowLine}: a quoted field is never closed`);
  if (cur !== '' || cells.length) endRow();
  return rows;
}

/** Read and parse a small CSV file, with a DataError naming the file when it cannot be read or parsed. */
export async function readCsv(path: string, what: string): Promise<CsvRow[]> {
  const text = await readSmallTextFile(path, what);
  try {
    return parseCsv(text);
  } catch (e) {
    throw new DataError(`${path}: ${(e as Error).message}`, { cause: e });
  }
}
