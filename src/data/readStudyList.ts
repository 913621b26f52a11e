import { readFile } from 'node:fs/promises';
import { DataError } from '../errors.js';

/**
 * Read a list of study names, one per line (blank lines and `#` comments ignored): e.g. the studies a behavioural
 * fine-tune was trained on (`compare --exclude-studies`; docs/psych101-studies.txt lists Psych-101's).
 */
export async function readStudyList(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new DataError(`${path}: cannot read the study list (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  const studies = new Set<string>();
  for (const [i, raw] of text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .entries()) {
    const name = raw.replace(/#.*$/, '').trim();
    if (!name) continue;
    if (/[\s,]/.test(name)) throw new DataError(`${path}:${i + 1}: expected one study name per line, found ${JSON.stringify(name)}`);
    studies.add(name);
  }
  return studies;
}
