import { DataError } from '../errors.js';
import { readCsv } from '../util/readCsv.js';

/** study → domain. A study with no domain is absent. */
export type DomainsTable = Map<string, string>;

/**
 * Read a domains table: either `study,domain` rows (further columns, such as notes, are ignored), or the reference's
 * one-hot layout (`experiment,dataset,<domain 1>,...,<domain k>` with 0/1 cells; at most one 1 per row).
 */
export async function readDomainsTable(path: string): Promise<DomainsTable> {
  const [head, ...rows] = await readCsv(path, 'domains table');
  const header = head?.cells ?? [];
  const table: DomainsTable = new Map();
  // A second column named `domain` is the two-column layout, whatever follows it (a notes column is not a domain).
  const oneHot = header.length > 2 && header[1]?.toLowerCase() !== 'domain';
  if (header.length < 2) throw new DataError(`${path}:1: expected a header 'study,domain' or 'experiment,dataset,<domains...>'`);
  const firstDomainColumn = oneHot ? (header[1]?.toLowerCase() === 'dataset' ? 2 : 1) : 1;
  for (const { line, cells } of rows) {
    const study = cells[0];
    if (!study) throw new DataError(`${path}:${line}: empty study name`);
    if (!oneHot) {
      const domain = cells[1];
      if (domain) table.set(study, domain);
      continue;
    }
    const hits: string[] = [];
    for (let c = firstDomainColumn; c < header.length; c++) {
      const cell = cells[c] ?? '';
      if (cell !== '0' && cell !== '1' && cell !== '') {
        throw new DataError(`${path}:${line}: column '${header[c]}' should be 0 or 1, found ${JSON.stringify(cell)}`);
      }
      if (cell === '1') hits.push(header[c] ?? '');
    }
    if (hits.length > 1)
      throw new DataError(`${path}:${line}: study '${study}' has ${hits.length} domains (${hits.join(', ')}); expected at most one`);
    if (hits[0]) table.set(study, hits[0]);
  }
  return table;
}
