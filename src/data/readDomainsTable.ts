import { readFile } from 'node:fs/promises';
import { DataError } from '../errors.js';

/** study → domain. A study with no domain is absent. */
export type DomainsTable = Map<string, string>;

/** Split one CSV line (RFC 4180 quoting). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/** The lines of a small CSV file (BOM removed), with a DataError naming the file when it cannot be read. */
export async function readCsvLines(path: string, what: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/);
  } catch (e) {
    throw new DataError(`${path}: cannot read ${what} (${(e as Error).message})`, { cause: e });
  }
}

/**
 * Read a domains table: either `study,domain` rows, or the reference's one-hot layout
 * (`experiment,dataset,<domain 1>,...,<domain k>` with 0/1 cells; at most one 1 per row).
 */
export async function readDomainsTable(path: string): Promise<DomainsTable> {
  const lines = await readCsvLines(path, 'domains table');
  const header = parseCsvLine(lines[0] ?? '');
  const table: DomainsTable = new Map();
  const oneHot = header.length > 2;
  if (header.length < 2) throw new DataError(`${path}:1: expected a header 'study,domain' or 'experiment,dataset,<domains...>'`);
  const firstDomainColumn = oneHot ? (header[1]?.toLowerCase() === 'dataset' ? 2 : 1) : 1;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === undefined || line.trim() === '') continue;
    const cells = parseCsvLine(line);
    const study = cells[0];
    if (!study) throw new DataError(`${path}:${i + 1}: empty study name`);
    if (!oneHot) {
      const domain = cells[1];
      if (domain) table.set(study, domain);
      continue;
    }
    const hits: string[] = [];
    for (let c = firstDomainColumn; c < header.length; c++) {
      const cell = cells[c] ?? '';
      if (cell !== '0' && cell !== '1' && cell !== '') {
        throw new DataError(`${path}:${i + 1}: column '${header[c]}' should be 0 or 1, found ${JSON.stringify(cell)}`);
      }
      if (cell === '1') hits.push(header[c] ?? '');
    }
    if (hits.length > 1) throw new DataError(`${path}:${i + 1}: study '${study}' has ${hits.length} domains (${hits.join(', ')}); expected at most one`);
    if (hits[0]) table.set(study, hits[0]);
  }
  return table;
}
