import { DataError } from '../errors.js';
import { readCsv } from '../util/readCsv.js';

/** Model types. `behavioural`: fine-tuned on human behaviour (Centaur: Llama-3.1-70B on Psych-101). */
export const MODEL_TYPES = ['base', 'instruct', 'reasoning', 'vision', 'code', 'math', 'behavioural'] as const;
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

/** Family names, in the order they are tried (TinyLlama before Llama; distills are handled before any). */
const FAMILIES: [RegExp, string][] = [
  [/tinyllama/, 'TinyLlama'],
  [/qwen/, 'Qwen'],
  [/llama/, 'Llama'],
  [/gemma/, 'Gemma'],
  [/mistral/, 'Mistral'],
  [/(?:^|[-_])phi/, 'Phi'],
  [/olmo/, 'OLMo'],
  [/deepseek(?:[-_ ]?llm)?/, 'DeepSeek'],
  [/falcon/, 'Falcon'],
  [/pythia/, 'Pythia'],
  [/gpt[-_]?2/, 'GPT-2'],
  [/stories/, 'TinyStories'],
];
/** DeepSeek-R1 distills: family and generation of the model distilled into, whose base is their pair. */
const DISTILLS: [RegExp, string, string, string][] = [
  [/distill[-_]qwen/, 'Qwen', '2.5', 'qwen2.5-'],
  [/distill[-_]llama/, 'Llama', '3.1', 'llama-3.1-'],
];
const TYPE_PATTERNS: [RegExp, ModelType][] = [
  [/(^|[-_.])base([-_.]|$)/, 'base'],
  [/centaur/, 'behavioural'],
  [/(^|[-_.])(vl|vision)([-_.]|$)/, 'vision'],
  [/coder|(^|[-_.])code([-_.]|$)/, 'code'],
  [/(^|[-_.])math([-_.]|$)/, 'math'],
  [/(^|[-_.])(r1|reason\w*|think\w*|qwq)([-_.]|$)/, 'reasoning'],
  [/instruct|(^|[-_.])(chat|it|sft|dpo|rlhf)([-_.]|$)/, 'instruct'],
];
/** Words that make a post-trained name out of its base's name. */
const POST_WORDS = /[-_.](instruct|chat|it|sft|dpo|rlhf|vl|vision|r1|reasoning|thinking|think|coder|code|math|centaur)(?=$|[-_.])/g;
/** Suffixes that do not change what a model is: quantisation, file format, adapters. */
const NOISE = /([-_.](gguf|q\d\w*|iq\d\w*|f16|fp16|bf16|f32|awq|gptq|int[48]|\d+bit|bnb|hf|mlx|exl2|adapter))+$/i;
/** Organisation prefixes of hub ids flattened into file names (`Qwen-Qwen3-8B`, `meta-llama_Llama-3.1-8B`). */
const ORG =
  /^(?:qwen[-_](?=qwen)|(?:meta-llama|allenai|deepseek-ai|unsloth|mistralai|google|microsoft|tiiuae|eleutherai|marcelbinz|bartowski|lmstudio-community|thebloke)[-_](?=[a-z]))/;
/** Release date codes inside names (`OLMo-3-1025-7B`, `Qwen3-4B-Instruct-2507`). */
const DATE_CODE = /-\d{4}(?=-|$)/g;

/** A model's name without path, extension and quantisation suffixes. */
export function canonicalModelName(model: string): string {
  return (model.split(/[\\/]/).pop() ?? model).replace(/\.(gguf|pth|bin|safetensors)$/i, '').replace(NOISE, '');
}

/**
 * The key two spellings of one model share: lower case, without path, extension, quantisation suffix and org prefix
 * (`Qwen/Qwen2.5-7B-Instruct`, `Qwen-Qwen2.5-7B-Instruct.pth` and `qwen2.5-7b-instruct-q4_k_m.gguf` match).
 */
export function modelMatchKey(model: string): string {
  return canonicalModelName(model)
    .toLowerCase()
    .replace(ORG, '')
    .replace(/^meta-(?=llama)/, '');
}

/** The generation after the family's name (`Llama-3.1` → 3.1), else a version tag (`-v0.3`), else 1. A size is none. */
function inferGeneration(rest: string, key: string): string {
  const direct = /^[-_ ]?v?(\d+(?:\.\d+)?)(?!\d|\.\d|\s*[bm](?:$|[-_.]))/.exec(rest);
  return direct?.[1] ?? /(?:^|[-_.])v(\d+(?:\.\d+)*)(?=$|[-_.])/.exec(key)?.[1] ?? '1';
}

function inferType(key: string, family: string, generation: string): ModelType {
  const t = TYPE_PATTERNS.find(([re]) => re.test(key))?.[1];
  if (t) return t;
  // Qwen3 and later name the post-trained (reasoning) model without a suffix and the base model `-Base`.
  return family === 'Qwen' && Number(generation) >= 3 ? 'reasoning' : 'base';
}

/** Facts from the name alone: family, generation, size, type (no base). */
function inferOwnFacts(model: string): (Omit<ModelFacts, 'base'> & { baseKey: string }) | undefined {
  const key = modelMatchKey(model);
  const size = /(?:^|[-_])(\d+(?:\.\d+)?)\s*([bm])(?=$|[-_.])/.exec(key);
  const sizeB = size ? Number(size[1]) / (size[2] === 'm' ? 1000 : 1) : null;
  const baseKey = key.replace(POST_WORDS, '').replace(DATE_CODE, '');
  const distill = DISTILLS.find(([re]) => re.test(key));
  if (distill) {
    const [, family, generation, prefix] = distill;
    return { model, family, generation, sizeB, type: 'reasoning', baseKey: size ? `${prefix}${size[1]}b` : '' };
  }
  for (const [re, family] of FAMILIES) {
    const m = re.exec(key);
    if (!m) continue;
    const generation = inferGeneration(key.slice(m.index + m[0].length), key);
    return { model, family, generation, sizeB, type: inferType(key, family, generation), baseKey };
  }
  return undefined;
}

/**
 * The base of a post-trained model among the known ones: a base model whose name is this one's without the
 * post-training words and date codes (or with `-Base` added: Qwen3); else the only base model of the same family,
 * major version and size that is not newer (OLMo-3.1-32B-Think → OLMo-3-1125-32B).
 */
function findBase(own: NonNullable<ReturnType<typeof inferOwnFacts>>, known: readonly string[]): string | null {
  const bases = known
    .filter((k) => k !== own.model)
    .map((k) => inferOwnFacts(k))
    .filter((f) => f?.type === 'base') as NonNullable<ReturnType<typeof inferOwnFacts>>[];
  const keyOf = (f: { model: string }): string => modelMatchKey(f.model).replace(DATE_CODE, '');
  for (const want of [own.baseKey, `${own.baseKey}-base`]) {
    const hit = bases.find((b) => keyOf(b) === want);
    if (hit) return hit.model;
  }
  const major = (g: string): string => g.split('.')[0] ?? g;
  const near = bases.filter(
    (b) =>
      b.family === own.family &&
      b.sizeB === own.sizeB &&
      own.sizeB !== null &&
      major(b.generation) === major(own.generation) &&
      Number(b.generation) <= Number(own.generation),
  );
  return near.length === 1 ? near[0]!.model : null;
}

/** Facts inferred from a model name (e.g. `Qwen2.5-7B-Instruct`), or undefined when the family is unknown. */
export function inferModelFacts(model: string, known: readonly string[] = []): ModelFacts | undefined {
  const own = inferOwnFacts(model);
  if (!own) return undefined;
  const { baseKey: _baseKey, ...facts } = own;
  return { ...facts, base: own.type === 'base' ? null : findBase(own, known) };
}

/** A model table read from CSV: complete rows, and the models listed with facts still to fill in. */
export interface ModelTableFile {
  table: Map<string, ModelFacts>;
  incomplete: string[];
}

/**
 * Read a model table: CSV with header `model,family,generation,size_b,type,base` (base: the model id of the base
 * model of a post-trained one; empty for base models). A row with an empty type is a model still to classify (as
 * `--write-model-table` writes unclassified ones): it is listed in `incomplete`, not read.
 */
export async function readModelTableFile(path: string): Promise<ModelTableFile> {
  const [head, ...rows] = await readCsv(path, 'model table');
  const header = (head?.cells ?? []).map((h) => h.toLowerCase());
  const need = ['model', 'family', 'generation', 'size_b', 'type', 'base'];
  const missing = need.filter((h) => !header.includes(h));
  if (missing.length) throw new DataError(`${path}:1: model table lacks column(s) ${missing.join(', ')} (expected ${need.join(',')})`);
  const twice = need.filter((h) => header.indexOf(h) !== header.lastIndexOf(h));
  if (twice.length) throw new DataError(`${path}:1: column(s) ${twice.join(', ')} appear twice in the header (which one is meant?)`);
  const col = (cells: string[], name: string): string => (cells[header.indexOf(name)] ?? '').trim();
  const table = new Map<string, ModelFacts>();
  const incomplete: string[] = [];
  for (const { line, cells } of rows) {
    const model = col(cells, 'model');
    if (!model) throw new DataError(`${path}:${line}: the model column is empty`);
    const type = col(cells, 'type').toLowerCase();
    if (type === '') {
      incomplete.push(model);
      continue;
    }
    if (!(MODEL_TYPES as readonly string[]).includes(type))
      throw new DataError(`${path}:${line}: type should be one of ${MODEL_TYPES.join(', ')}, found ${JSON.stringify(type)}`);
    const size = col(cells, 'size_b');
    if (size !== '' && !Number.isFinite(Number(size)))
      throw new DataError(`${path}:${line}: size_b should be a number of billions, found ${JSON.stringify(size)}`);
    const family = col(cells, 'family');
    if (!family)
      throw new DataError(
        `${path}:${line}: family is empty for ${model} (fill in family, generation, size_b and type, or leave all empty)`,
      );
    table.set(model, {
      model,
      family,
      generation: col(cells, 'generation'),
      sizeB: size === '' ? null : Number(size),
      type: type as ModelType,
      base: col(cells, 'base') || null,
    });
  }
  return { table, incomplete };
}

/** Read a model table's complete rows (see readModelTableFile). */
export async function readModelTable(path: string): Promise<Map<string, ModelFacts>> {
  return (await readModelTableFile(path)).table;
}

/**
 * Facts for every model: from the table when given (by exact name, else by match key, so a table's
 * `Qwen2.5-7B-Instruct` covers a run of `qwen2.5-7b-instruct-q4_k_m.gguf`), else inferred from names. A table's
 * base names are mapped to the runs' names the same way. Models that cannot be classified are listed.
 */
export function resolveModelFacts(
  models: readonly string[],
  table?: Map<string, ModelFacts>,
): { facts: Map<string, ModelFacts>; unclassified: string[] } {
  const byKey = new Map<string, ModelFacts>();
  for (const f of table?.values() ?? []) if (!byKey.has(modelMatchKey(f.model))) byKey.set(modelMatchKey(f.model), f);
  const runName = (base: string): string =>
    models.includes(base) ? base : (models.find((m) => modelMatchKey(m) === modelMatchKey(base)) ?? base);
  const facts = new Map<string, ModelFacts>();
  const unclassified: string[] = [];
  for (const m of models) {
    const listed = table?.get(m) ?? byKey.get(modelMatchKey(m));
    const f = listed ? { ...listed, model: m, base: listed.base && runName(listed.base) } : inferModelFacts(m, models);
    if (f) facts.set(m, f);
    else unclassified.push(m);
  }
  return { facts, unclassified };
}

/** The model table as CSV, for a user to edit; unclassified models are rows with empty facts (the ones to fill in). */
export function formatModelTable(facts: Iterable<ModelFacts>, unclassified: readonly string[] = []): string {
  const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const rows = [...facts].map((f) => [f.model, f.family, f.generation, f.sizeB ?? '', f.type, f.base ?? '']);
  for (const m of unclassified) rows.push([m, '', '', '', '', '']);
  return ['model,family,generation,size_b,type,base', ...rows.map((r) => r.map((x) => q(String(x))).join(','))].join('\n') + '\n';
}
