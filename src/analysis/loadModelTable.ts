import { type ModelTableFile, readModelTableFile } from './modelTable.js';
import { paperModels } from './paperModels.js';

/** The `--models` value that selects the paper's built-in table instead of a file. */
export const PAPER_TABLE = 'paper';

/**
 * The model table a `--models` value names: `paper` for the paper's table shipped with humanlike (paperModels.ts),
 * else a CSV file (readModelTableFile). Write `./paper` for a file of that name.
 */
export async function loadModelTable(spec: string): Promise<ModelTableFile> {
  if (spec !== PAPER_TABLE) return readModelTableFile(spec);
  return { table: new Map(paperModels().map(({ org: _org, ...f }) => [f.model, f])), incomplete: [] };
}
