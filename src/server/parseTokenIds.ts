import { excerptJson } from '../util/excerptJson.js';
import { HttpFailure } from './HttpFailure.js';

/**
 * The token ids of a request field, each checked to be an integer with 0 ≤ id < vocabularySize: the engine aborts
 * the whole process on an id outside its vocabulary (`std::out_of_range`), and ids ≥ 2^32 would wrap.
 */
export function parseTokenIds(value: unknown, field: string, vocabularySize: number): number[] {
  if (!Array.isArray(value)) throw new HttpFailure(400, `'${field}' must be a list of token ids`);
  value.forEach((id: unknown, i) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabularySize) {
      const found = typeof id === 'number' ? String(id) : excerptJson(id, 40);
      throw new HttpFailure(
        400,
        `'${field}'[${i}] is ${found}: token ids are integers from 0 to ${vocabularySize - 1} (vocabulary of ${vocabularySize})`,
      );
    }
  });
  return value as number[];
}
