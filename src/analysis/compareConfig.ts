import { z } from 'zod';
import { PROMPT_FORMATS } from '../prompts/types.js';

/** Most bootstrap replicates (`--bootstrap`); the paper's analyses use 1,000. */
export const MAX_BOOTSTRAP = 1_000_000;

/**
 * The one source of the analyses' options and their defaults (compare and report): the CLI's flags carry none. The
 * model table and domains table are read from files by the caller and passed beside these.
 */
export const compareConfigShape = {
  /** Prompt format of the runs compared for alignment and misalignment. */
  format: z.enum(PROMPT_FORMATS).default('raw'),
  /**
   * Bootstrap replicates; 0 gives estimates without intervals. At most MAX_BOOTSTRAP: the draws are held in memory
   * (8 bytes per replicate and quantity), and a billion would take hours before failing to allocate them.
   */
  bootstrap: z
    .number()
    .int()
    .min(0)
    .max(MAX_BOOTSTRAP, { error: `at most ${MAX_BOOTSTRAP.toLocaleString('en-US')} replicates` })
    .default(1000),
  /** Bootstrap seed: the same store and seed give bit-identical intervals. */
  seed: z.number().int().default(0),
  /** Analyse this comparison set (an id prefix, as compare prints it) instead of the largest. */
  set: z.string().min(1).optional(),
  /** Analyse only these runs. */
  runs: z.array(z.string().min(1)).min(1).optional(),
};
export const compareConfigSchema = z.strictObject(compareConfigShape);
export type CompareConfig = z.infer<typeof compareConfigSchema>;
