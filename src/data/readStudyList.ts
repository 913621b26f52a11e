import { DataError } from '../errors.js';
import { readSmallTextFile } from '../util/readUserFile.js';

/**
 * Read a list of study names, one per line (blank lines and `#` comments ignored): e.g. the studies a behavioural
 * fine-tune was trained on (`compare --exclude-studies`; docs/psych101-studies.txt lists Psych-101's).
 */
export async function readStudyList(path: string): Promise<Set<string>> {
  const text = await readSmallTextFile(path, 'the study list');
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
