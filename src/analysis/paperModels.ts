import type { ModelFacts, ModelType } from './modelTable.js';

/**
 * The model table of Binz et al., "Post-training makes large language models less human-like": every model the paper
 * evaluated with its family, generation, size and type, and for each post-trained model the base model it is paired
 * with. Source: the PAIRS list of `0_analyses/plotting/plot.py` in github.com/marcelbinz/Psych-201 (model names are
 * its file names without the `<org>-` prefix and `.pth`), the evaluated-model list of `0_analyses/csvs/
 * full_merge_jureca.py`, and Centaur (`eval_centaur.py`), a behavioural fine-tune of Llama-3.1-70B on Psych-101.
 * The paper's "Instruction-tuned" type is `instruct` here. Kept as it is, the paper's own choices included:
 * - Qwen3-VL-2B pairs with Qwen3-1.7B-Base and Qwen3-VL-32B with Qwen3-14B-Base (no 2B or 32B Qwen3 base exists);
 * - Llama-3.2-11B/90B-Vision pair with Llama-3.1-8B/70B (the text models they were built on);
 * - DeepSeek-R1-Distill-Llama-70B pairs with Llama-3.1-70B (it was distilled from Llama-3.3-70B-Instruct, whose
 *   base is Llama-3.1-70B);
 * - Qwen3-32B and Qwen3.5-27B were run without a base model: they have facts but no pair.
 * Columns as in a `--models` CSV, plus `org`, the prefix of the reference's file names.
 */
const PAPER_TABLE = `
org,model,family,generation,size_b,type,base
Qwen,Qwen1.5-0.5B,Qwen,1.5,0.5,base,
Qwen,Qwen1.5-1.8B,Qwen,1.5,1.8,base,
Qwen,Qwen1.5-4B,Qwen,1.5,4,base,
Qwen,Qwen1.5-7B,Qwen,1.5,7,base,
Qwen,Qwen1.5-14B,Qwen,1.5,14,base,
Qwen,Qwen1.5-32B,Qwen,1.5,32,base,
Qwen,Qwen1.5-72B,Qwen,1.5,72,base,
Qwen,Qwen1.5-0.5B-Chat,Qwen,1.5,0.5,instruct,Qwen1.5-0.5B
Qwen,Qwen1.5-1.8B-Chat,Qwen,1.5,1.8,instruct,Qwen1.5-1.8B
Qwen,Qwen1.5-4B-Chat,Qwen,1.5,4,instruct,Qwen1.5-4B
Qwen,Qwen1.5-7B-Chat,Qwen,1.5,7,instruct,Qwen1.5-7B
Qwen,Qwen1.5-14B-Chat,Qwen,1.5,14,instruct,Qwen1.5-14B
Qwen,Qwen1.5-32B-Chat,Qwen,1.5,32,instruct,Qwen1.5-32B
Qwen,Qwen1.5-72B-Chat,Qwen,1.5,72,instruct,Qwen1.5-72B
Qwen,Qwen2-0.5B,Qwen,2,0.5,base,
Qwen,Qwen2-1.5B,Qwen,2,1.5,base,
Qwen,Qwen2-7B,Qwen,2,7,base,
Qwen,Qwen2-72B,Qwen,2,72,base,
Qwen,Qwen2-0.5B-Instruct,Qwen,2,0.5,instruct,Qwen2-0.5B
Qwen,Qwen2-1.5B-Instruct,Qwen,2,1.5,instruct,Qwen2-1.5B
Qwen,Qwen2-7B-Instruct,Qwen,2,7,instruct,Qwen2-7B
Qwen,Qwen2-72B-Instruct,Qwen,2,72,instruct,Qwen2-72B
Qwen,Qwen2.5-0.5B,Qwen,2.5,0.5,base,
Qwen,Qwen2.5-1.5B,Qwen,2.5,1.5,base,
Qwen,Qwen2.5-3B,Qwen,2.5,3,base,
Qwen,Qwen2.5-7B,Qwen,2.5,7,base,
Qwen,Qwen2.5-14B,Qwen,2.5,14,base,
Qwen,Qwen2.5-32B,Qwen,2.5,32,base,
Qwen,Qwen2.5-72B,Qwen,2.5,72,base,
Qwen,Qwen2.5-0.5B-Instruct,Qwen,2.5,0.5,instruct,Qwen2.5-0.5B
Qwen,Qwen2.5-1.5B-Instruct,Qwen,2.5,1.5,instruct,Qwen2.5-1.5B
Qwen,Qwen2.5-3B-Instruct,Qwen,2.5,3,instruct,Qwen2.5-3B
Qwen,Qwen2.5-7B-Instruct,Qwen,2.5,7,instruct,Qwen2.5-7B
Qwen,Qwen2.5-14B-Instruct,Qwen,2.5,14,instruct,Qwen2.5-14B
Qwen,Qwen2.5-32B-Instruct,Qwen,2.5,32,instruct,Qwen2.5-32B
Qwen,Qwen2.5-72B-Instruct,Qwen,2.5,72,instruct,Qwen2.5-72B
Qwen,Qwen2.5-Coder-0.5B,Qwen,2.5,0.5,code,Qwen2.5-0.5B
Qwen,Qwen2.5-Coder-1.5B,Qwen,2.5,1.5,code,Qwen2.5-1.5B
Qwen,Qwen2.5-Coder-3B,Qwen,2.5,3,code,Qwen2.5-3B
Qwen,Qwen2.5-Coder-7B,Qwen,2.5,7,code,Qwen2.5-7B
Qwen,Qwen2.5-Coder-14B,Qwen,2.5,14,code,Qwen2.5-14B
Qwen,Qwen2.5-Coder-32B,Qwen,2.5,32,code,Qwen2.5-32B
Qwen,Qwen2.5-Math-1.5B,Qwen,2.5,1.5,math,Qwen2.5-1.5B
Qwen,Qwen2.5-Math-7B,Qwen,2.5,7,math,Qwen2.5-7B
Qwen,Qwen2.5-Math-72B,Qwen,2.5,72,math,Qwen2.5-72B
Qwen,Qwen2.5-VL-3B-Instruct,Qwen,2.5,3,vision,Qwen2.5-3B
Qwen,Qwen2.5-VL-7B-Instruct,Qwen,2.5,7,vision,Qwen2.5-7B
Qwen,Qwen2.5-VL-32B-Instruct,Qwen,2.5,32,vision,Qwen2.5-32B
Qwen,Qwen2.5-VL-72B-Instruct,Qwen,2.5,72,vision,Qwen2.5-72B
deepseek-ai,DeepSeek-R1-Distill-Qwen-1.5B,Qwen,2.5,1.5,reasoning,Qwen2.5-1.5B
deepseek-ai,DeepSeek-R1-Distill-Qwen-7B,Qwen,2.5,7,reasoning,Qwen2.5-7B
deepseek-ai,DeepSeek-R1-Distill-Qwen-14B,Qwen,2.5,14,reasoning,Qwen2.5-14B
deepseek-ai,DeepSeek-R1-Distill-Qwen-32B,Qwen,2.5,32,reasoning,Qwen2.5-32B
Qwen,Qwen3-0.6B-Base,Qwen,3,0.6,base,
Qwen,Qwen3-1.7B-Base,Qwen,3,1.7,base,
Qwen,Qwen3-4B-Base,Qwen,3,4,base,
Qwen,Qwen3-8B-Base,Qwen,3,8,base,
Qwen,Qwen3-14B-Base,Qwen,3,14,base,
Qwen,Qwen3-0.6B,Qwen,3,0.6,reasoning,Qwen3-0.6B-Base
Qwen,Qwen3-1.7B,Qwen,3,1.7,reasoning,Qwen3-1.7B-Base
Qwen,Qwen3-4B,Qwen,3,4,reasoning,Qwen3-4B-Base
Qwen,Qwen3-8B,Qwen,3,8,reasoning,Qwen3-8B-Base
Qwen,Qwen3-14B,Qwen,3,14,reasoning,Qwen3-14B-Base
Qwen,Qwen3-32B,Qwen,3,32,reasoning,
Qwen,Qwen3-VL-2B-Instruct,Qwen,3,2,vision,Qwen3-1.7B-Base
Qwen,Qwen3-VL-2B-Thinking,Qwen,3,2,vision,Qwen3-1.7B-Base
Qwen,Qwen3-VL-4B-Instruct,Qwen,3,4,vision,Qwen3-4B-Base
Qwen,Qwen3-VL-4B-Thinking,Qwen,3,4,vision,Qwen3-4B-Base
Qwen,Qwen3-VL-8B-Instruct,Qwen,3,8,vision,Qwen3-8B-Base
Qwen,Qwen3-VL-8B-Thinking,Qwen,3,8,vision,Qwen3-8B-Base
Qwen,Qwen3-VL-32B-Instruct,Qwen,3,32,vision,Qwen3-14B-Base
Qwen,Qwen3-VL-32B-Thinking,Qwen,3,32,vision,Qwen3-14B-Base
Qwen,Qwen3.5-0.8B-Base,Qwen,3.5,0.8,base,
Qwen,Qwen3.5-2B-Base,Qwen,3.5,2,base,
Qwen,Qwen3.5-4B-Base,Qwen,3.5,4,base,
Qwen,Qwen3.5-9B-Base,Qwen,3.5,9,base,
Qwen,Qwen3.5-0.8B,Qwen,3.5,0.8,reasoning,Qwen3.5-0.8B-Base
Qwen,Qwen3.5-2B,Qwen,3.5,2,reasoning,Qwen3.5-2B-Base
Qwen,Qwen3.5-4B,Qwen,3.5,4,reasoning,Qwen3.5-4B-Base
Qwen,Qwen3.5-9B,Qwen,3.5,9,reasoning,Qwen3.5-9B-Base
Qwen,Qwen3.5-27B,Qwen,3.5,27,reasoning,
allenai,Olmo-3-1025-7B,OLMo,3,7,base,
allenai,Olmo-3-1125-32B,OLMo,3,32,base,
allenai,Olmo-3-7B-Instruct,OLMo,3,7,instruct,Olmo-3-1025-7B
allenai,Olmo-3-7B-Think,OLMo,3,7,reasoning,Olmo-3-1025-7B
allenai,Olmo-3.1-32B-Instruct,OLMo,3.1,32,instruct,Olmo-3-1125-32B
allenai,Olmo-3.1-32B-Think,OLMo,3.1,32,reasoning,Olmo-3-1125-32B
meta-llama,Meta-Llama-3-8B,Llama,3,8,base,
meta-llama,Meta-Llama-3-8B-Instruct,Llama,3,8,instruct,Meta-Llama-3-8B
meta-llama,Llama-3.1-8B,Llama,3.1,8,base,
meta-llama,Llama-3.1-70B,Llama,3.1,70,base,
meta-llama,Llama-3.1-8B-Instruct,Llama,3.1,8,instruct,Llama-3.1-8B
meta-llama,Llama-3.1-70B-Instruct,Llama,3.1,70,instruct,Llama-3.1-70B
meta-llama,Llama-3.2-1B,Llama,3.2,1,base,
meta-llama,Llama-3.2-3B,Llama,3.2,3,base,
meta-llama,Llama-3.2-1B-Instruct,Llama,3.2,1,instruct,Llama-3.2-1B
meta-llama,Llama-3.2-3B-Instruct,Llama,3.2,3,instruct,Llama-3.2-3B
deepseek-ai,DeepSeek-R1-Distill-Llama-8B,Llama,3.1,8,reasoning,Llama-3.1-8B
deepseek-ai,DeepSeek-R1-Distill-Llama-70B,Llama,3.1,70,reasoning,Llama-3.1-70B
unsloth,Llama-3.2-11B-Vision,Llama,3.2,11,vision,Llama-3.1-8B
unsloth,Llama-3.2-90B-Vision,Llama,3.2,90,vision,Llama-3.1-70B
marcelbinz,Llama-3.1-Centaur-70B,Llama,3.1,70,behavioural,Llama-3.1-70B
`;

/** One row of the paper's table. */
export interface PaperModel extends ModelFacts {
  /** The Hugging Face organisation: the reference's file name is `<org>-<model>.pth`. */
  org: string;
}

let parsed: PaperModel[] | undefined;

/** The rows of the paper's model table (parsed once, on first use). */
export function paperModels(): readonly PaperModel[] {
  parsed ??= PAPER_TABLE.trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [org = '', model = '', family = '', generation = '', size = '', type = '', base = ''] = line.split(',');
      return { org, model, family, generation, sizeB: Number(size), type: type as ModelType, base: base || null };
    });
  return parsed;
}

/** The reference's file name of a model of the paper's table (e.g. `Qwen-Qwen3-8B.pth`), as its CSVs name models. */
export const referenceFileName = (m: PaperModel): string => `${m.org}-${m.model}.pth`;
