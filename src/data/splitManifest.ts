import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.js';

/** File name of the split manifest that `humanlike split` writes at the top of its output dataset. */
export const SPLIT_MANIFEST = 'humanlike-split.json';

const manifestSchema = z.object({
  format: z.literal('humanlike-split'),
  version: z.literal(1),
  seed: z.number().int(),
  rule: z.string(),
  studies: z.record(
    z.string(),
    z.object({
      participants: z.number().int().nonnegative(),
      test: z.array(z.object({ experiment: z.string(), participant: z.string() })),
    }),
  ),
});
export type SplitManifest = z.infer<typeof manifestSchema>;

/** Read the split manifest of a dataset folder, or undefined when the folder has none. */
export async function readSplitManifest(dir: string): Promise<SplitManifest | undefined> {
  const path = join(dir, SPLIT_MANIFEST);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataError(`${path}: not a humanlike split manifest: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`);
  }
  return parsed.data;
}
