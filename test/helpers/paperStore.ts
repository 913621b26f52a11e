import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SyntheticModel, writeSyntheticStore } from './syntheticStore.js';

/** Models named like the paper's (Qwen3, OLMo 3, Llama 3.x), with planted misalignment, persona and chat-template runs. */
export const PAPER_LIKE_MODELS: readonly SyntheticModel[] = [
  { model: 'Qwen3-0.6B-Base', shift: 0.5 },
  { model: 'Qwen3-0.6B', shift: 0.9 },
  { model: 'Qwen3-1.7B-Base', shift: 0.3 },
  { model: 'Qwen3-1.7B', shift: 0.6 },
  { model: 'Qwen3-8B-Base', shift: 0 },
  { model: 'Qwen3-8B', shift: 0.4 },
  { model: 'Olmo-3-1025-7B', shift: 0.1 },
  { model: 'Olmo-3-7B-Instruct', shift: 0.3 },
  { model: 'Olmo-3-7B-Think', shift: 0.6 },
  { model: 'Llama-3.2-1B', shift: 0.4 },
  { model: 'Llama-3.2-1B-Instruct', shift: 0.5 },
  { model: 'Llama-3.1-8B', shift: -0.1 },
  { model: 'Llama-3.1-8B-Instruct', shift: 0.2 },
  // Persona: the metadata helps the base models (lower NLL), less so the post-trained ones.
  { model: 'Qwen3-8B-Base', shift: -0.2, format: 'persona' },
  { model: 'Qwen3-8B', shift: 0.35, format: 'persona' },
  { model: 'Llama-3.1-8B', shift: -0.25, format: 'persona' },
  { model: 'Llama-3.1-8B-Instruct', shift: 0.25, format: 'persona' },
  // The chat template, for the post-trained models.
  { model: 'Qwen3-0.6B', shift: 0.7, format: 'chat' },
  { model: 'Qwen3-8B', shift: 0.2, format: 'chat' },
  { model: 'Olmo-3-7B-Instruct', shift: 0.4, format: 'chat' },
  { model: 'Llama-3.1-8B-Instruct', shift: 0.1, format: 'chat' },
];

export const PAPER_LIKE_DOMAINS = [
  'Reinforcement Learning',
  'Risky Choice',
  'Intertemporal Choice',
  'Economic Games',
  'Moral Judgment',
  'Reasoning',
  'Categorization',
  'Memory',
  'Cognitive Control',
  'Psycholinguistics',
  'Psychophysics',
];

/** Writes the store and a domains table over its studies (all 11 of the paper's domains); returns the domains file. */
export async function writePaperLikeStore(dir: string, studies = 22): Promise<{ db: string; domains: string }> {
  const db = join(dir, 'paper.duckdb');
  await writeSyntheticStore(db, PAPER_LIKE_MODELS, { studies, participants: 12, responses: 8, discrete: true });
  const domains = join(dir, 'domains.csv');
  writeFileSync(
    domains,
    'study,domain\n' +
      Array.from(
        { length: studies },
        (_, s) => `study${String(s).padStart(3, '0')},${PAPER_LIKE_DOMAINS[s % PAPER_LIKE_DOMAINS.length]}`,
      ).join('\n') +
      '\n',
  );
  return { db, domains };
}
