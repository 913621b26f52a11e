import type { ModelType } from './modelTable.js';

/** The post-training types a generation can be represented by, in order of preference. */
export type GenerationPostType = Extract<ModelType, 'instruct' | 'reasoning'>;

/**
 * The general-purpose post-training of a generation, whose pairs make its by-generation mean and Fig. 3's box:
 * `instruct` when the generation has any instruct pair, else `reasoning`, else none. As the paper's Fig. 3a (Qwen2 and
 * Qwen2.5: Instruct; Qwen3 and Qwen3.5: the reasoning models): specialised fine-tunes (code, math, vision, behavioural)
 * and, beside an instruct model, reasoning distills are other kinds of post-training, so mixing them in would make a
 * generation's mean depend on which fine-tunes happen to exist.
 */
export function generationPostType(types: Iterable<string>): GenerationPostType | null {
  const present = new Set(types);
  if (present.has('instruct')) return 'instruct';
  if (present.has('reasoning')) return 'reasoning';
  return null;
}
