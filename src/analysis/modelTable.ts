import { readCsv } from '../util/readCsv.js';
import { DataError } from '../errors.js';

export const MODEL_TYPES = ['base', 'instruct', 'reasoning', 'vision', 'code', 'math'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** What the analyses need to know about a model. */
export interface ModelFacts {
  model: string;
  family: string;
  generation: string;
  /** Parameters in billions, when known. */
  sizeB: number | null;
  type: ModelType;
  /** For a post-trained model: the model id of its base model (the pair). */
  base: string | null;
}

const FAMILIES: [RegExp, string][] = [
  [/qwen[-_ ]?(\d+(?:\.\d+)?)?/i, 'Qwen'],
  [/llama[-_ ]?(\d+(?:\.\d+)?)?/i, 'Llama'],
  [/gemma[-_ ]?(\d+(?:\.\d+)?)?/i, 'Gemma'],
  [/mistral[-_ ]?(v?\d+(?:\.\d+)?)?/i, 'Mistral'],
  [/phi[-_ ]?(\d+(?:\.\d+)?)?/i, 'Phi'],
  [/olmo[-_ ]?(\d+)?/i, 'OLMo'],
  [/deepseek[-_ ]?(?:llm[-_ ]?)?(v?\d+(?:\.\d+)?)?/i, 'DeepSeek'],
  [/falcon[-_ ]?(\d+)?/i, 'Falcon'],
  [/pythia/i, 'Pythia'],
  [/gpt[-_]?2/i, 'GPT-2'],
  [/stories/i, 'TinyStories'],
];
const TYPE_PATTERNS: [RegExp, ModelType][] = [
  [/(^|[-_.])(vl|vision)([-_.]|$)/i, 'vision'],
  [/coder|(^|[-_.])code([-_.]|$)/i, 'code'],
  [/(^|[-_.])math([-_.]|$)/i, 'math'],
  [/(^|[-_.])(r1|reason\w*|think\w*|qwq)([-_.]|$)/i, 'reasoning'],
  [/instruct|(^|[-_.])(chat|it|sft|dpo|rlhf)([-_.]|$)/i, 'instruct'],
];
/** Suffixes that do not change what a model is: quantisation, file format. */
const NOISE = /([-_.](gguf|q\d\w*|f16|fp16|bf16|f32|iq\d\w*|awq|gptq|int[48]))+$/i;

/** A model's name without path, extension and quantisation suffixes. */
export function canonicalModelName(model: string): string {
  return (model.split('/').pop() ?? model).replace(/\.gguf$/i, '').replace(NOISE, '');
}

/** Facts inferred from a model name (e.g. `Qwen2.5-7B-Instruct`), or undefined when the family is unknown. */
export function inferModelFacts(model: string, known: readonly string[] = []): ModelFacts | undefined {
  const name = canonicalModelName(model);
  const fam = FAMILIES.find(([re]) => re.test(name));
  if (!fam) return undefined;
  const generation = fam[0].exec(name)?.[1] ?? '1';
  const size = /(?:^|[-_])(\d+(?:\.\d+)?)\s*([bBmM])(?=$|[-_.])/.exec(name);
  const sizeB = size ? Number(size[1]) / (size[2]?.toLowerCase() === 'm' ? 1000 : 1) : null;
  const type = TYPE_PATTERNS.find(([re]) => re.test(name))?.[1] ?? 'base';
  let base: string | null = null;
  if (type !== 'base') {
    // The base is the same name without the post-training words, if that model was run too.
    const stripped = name.replace(/[-_.](instruct|chat|it|sft|dpo|rlhf|vl|vision|r1|reasoning|thinking|coder|code|math)(?=$|[-_.])/gi, '');
    base = known.find((k) => k !== model && canonicalModelName(k).toLowerCase() === stripped.toLowerCase()) ?? null;
  }
  return { model, family: fam[1], generation, sizeB, type, base };
}

/**
 * Read a model table: CSV with header `model,family,generation,size_b,type,base` (base: the model id of the base
 * model of a post-trained one; empty for base models).
 */
export async function readModelTable(path: string): Promise<Map<string, ModelFacts>> {
  const [head, ...rows] = await readCsv(path, 'model table');
  const header = (head?.cells ?? []).map((h) => h.toLowerCase());
  const need = ['model', 'family', 'generation', 'size_b', 'type', 'base'];
  const missing = need.filter((h) => !header.includes(h));
  if (missing.length) throw new DataError(`${path}:1: model table lacks column(s) ${missing.join(', ')} (expected ${need.join(',')})`);
  const col = (cells: string[], name: string): string => cells[header.indexOf(name)] ?? '';
  const table = new Map<string, ModelFacts>();
  for (const { line, cells } of rows) {
    const type = col(cells, 'type').toLowerCase();
    if (!(MODEL_TYPES as readonly string[]).includes(type)) throw new DataError(`${path}:${line}: type should be one of ${MODEL_TYPES.join(', ')}, found ${JSON.stringify(type)}`);
    const size = col(cells, 'size_b');
    if (size !== '' && !Number.isFinite(Number(size))) throw new DataError(`${path}:${line}: size_b should be a number of billions, found ${JSON.stringify(size)}`);
    const model = col(cells, 'model');
    table.set(model, { model, family: col(cells, 'family'), generation: col(cells, 'generation'), sizeB: size === '' ? null : Number(size), type: type as ModelType, base: col(cells, 'base') || null });
  }
  return table;
}

/** Facts for every model: from the table when given, else inferred; models that cannot be classified are listed. */
export function resolveModelFacts(models: readonly string[], table?: Map<string, ModelFacts>): { facts: Map<string, ModelFacts>; unclassified: string[] } {
  const facts = new Map<string, ModelFacts>();
  const unclassified: string[] = [];
  for (const m of models) {
    const f = table?.get(m) ?? inferModelFacts(m, models);
    if (f) facts.set(m, f);
    else unclassified.push(m);
  }
  return { facts, unclassified };
}

/** The model table as CSV, for a user to edit. */
export function formatModelTable(facts: Iterable<ModelFacts>): string {
  const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  return ['model,family,generation,size_b,type,base', ...[...facts].map((f) => [f.model, f.family, f.generation, f.sizeB ?? '', f.type, f.base ?? ''].map((x) => q(String(x))).join(','))].join('\n') + '\n';
}
