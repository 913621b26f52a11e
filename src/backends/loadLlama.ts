import type { Llama, LlamaModel } from 'node-llama-cpp';
import { BackendError } from '../errors.js';

/** Which compute to use: 'auto' picks CUDA, Metal or Vulkan when present (prebuilt binaries), else CPU. */
export const GPU_CHOICES = ['auto', 'cpu', 'cuda', 'metal', 'vulkan'] as const;
export type GpuChoice = (typeof GPU_CHOICES)[number];

/** KV cache element types offered (q8_0 needs flash attention for its V cache). Here, not in LlamaCppBackend, so the CLI can name them without loading the engine. */
export const KV_CACHE_TYPES = ['f32', 'f16', 'q8_0'] as const;
export type KvCacheType = (typeof KV_CACHE_TYPES)[number];

/** What each explicit GPU choice needs from the machine (node-llama-cpp ships the binaries; drivers are the user's). */
const GPU_NEEDS: Record<Exclude<GpuChoice, 'auto' | 'cpu'>, string> = {
  cuda: 'needs an NVIDIA GPU with its driver and the CUDA 12 runtime',
  vulkan: 'needs a GPU with Vulkan drivers (libvulkan)',
  metal: 'needs macOS on Apple silicon',
};

/** node-llama-cpp says only "NoBinaryFoundError" when no prebuilt binary loads: say what is missing and what to do. */
function describeEngineFailure(gpu: GpuChoice, e: unknown): string {
  const message = (e as Error)?.message ?? String(e);
  if (gpu !== 'auto' && gpu !== 'cpu' && /NoBinaryFound/.test(`${(e as Error)?.name} ${message}`)) {
    return `--gpu ${gpu}: llama.cpp cannot use ${gpu === 'cuda' ? 'CUDA' : gpu === 'metal' ? 'Metal' : 'Vulkan'} here (${GPU_NEEDS[gpu]}); use --gpu auto (the best available, else CPU) or --gpu cpu`;
  }
  return `cannot start the llama.cpp engine with gpu=${gpu}: ${message}`;
}

const llamas = new Map<GpuChoice, Promise<Llama>>();

/** The node-llama-cpp runtime, loaded once per process. Never builds from source (`build: 'never'`). */
export async function loadLlama(gpu: GpuChoice = 'auto'): Promise<Llama> {
  let p = llamas.get(gpu);
  if (!p) {
    p = (async () => {
      const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
      try {
        return await getLlama({
          gpu: gpu === 'cpu' ? false : gpu,
          build: 'never',
          logLevel: LlamaLogLevel.error,
          progressLogs: false,
          // Loading a vocab-only GGUF makes llama.cpp log a harmless "missing tensor" error while it estimates
          // resources; everything else the engine reports at error level is shown.
          logger: (level, message) => {
            if (/missing tensor|failed to load model/.test(message)) return;
            if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) process.stderr.write(`[llama.cpp] ${message.trimEnd()}\n`);
          },
        });
      } catch (e) {
        throw new BackendError(describeEngineFailure(gpu, e), { cause: e });
      }
    })();
    llamas.set(gpu, p);
  }
  return p;
}

/**
 * A local GGUF path, or `hf:<user>/<repo>/<file>.gguf`: downloaded once into `<cache>/models/<user>/<repo>/` with
 * progress on stderr, resumable, failing within seconds when the hub cannot be reached (see docs/backends.md).
 */
export async function resolveModelPath(ref: string): Promise<string> {
  if (!ref.startsWith('hf:')) return ref;
  const { resolveHubModel } = await import('../hub/resolveHubModel.js');
  return resolveHubModel(ref);
}

const GGUF_MAGIC = Buffer.from('GGUF');
/** Magic, version (u32), tensor count (u64), metadata entry count (u64). */
const GGUF_HEADER_BYTES = 24;
/** Fewest bytes a metadata entry (key length, one key byte, type, one value byte) and a tensor description take. */
const MIN_ENTRY_BYTES = 14;
const MIN_TENSOR_BYTES = 33;

/**
 * The GGUF header checked against the file's size before the engine parses it: a header that lists more entries
 * than the file can hold (a damaged or crafted file, e.g. 2^40 metadata entries in 24 bytes) kept the parser
 * reading for ever.
 */
function checkGgufHeader(path: string, head: Buffer, size: number): void {
  if (!head.subarray(0, 4).equals(GGUF_MAGIC))
    throw new BackendError(
      `${path}: not a GGUF model (the file does not start with the GGUF magic bytes; found ${JSON.stringify(head.subarray(0, 4).toString('latin1'))})`,
    );
  if (size < GGUF_HEADER_BYTES) throw new BackendError(`${path}: not a GGUF model (the file is only ${size} bytes long)`);
  const version = head.readUInt32LE(4);
  if (version === 1) throw new BackendError(`${path}: GGUF version 1 is no longer supported by llama.cpp; convert the model again`);
  const tensors = head.readBigUInt64LE(8);
  const entries = head.readBigUInt64LE(16);
  if (BigInt(GGUF_HEADER_BYTES) + entries * BigInt(MIN_ENTRY_BYTES) + tensors * BigInt(MIN_TENSOR_BYTES) > BigInt(size))
    throw new BackendError(
      `${path}: damaged GGUF model: its header lists ${entries} metadata entries and ${tensors} tensors, more than a file of ${size} bytes can hold`,
    );
}

/** Load a GGUF model, with a clear message when the file is missing or is not GGUF. */
export async function loadGgufModel(llama: Llama, path: string, options: { vocabOnly?: boolean } = {}): Promise<LlamaModel> {
  const { open } = await import('node:fs/promises');
  const head = Buffer.alloc(GGUF_HEADER_BYTES);
  let size: number;
  try {
    const fh = await open(path, 'r');
    try {
      size = (await fh.stat()).size;
      await fh.read(head, 0, GGUF_HEADER_BYTES, 0);
    } finally {
      await fh.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BackendError(`${path}: ${code === 'ENOENT' ? 'model file not found' : (e as Error).message}`, { cause: e });
  }
  checkGgufHeader(path, head, size);
  try {
    return await llama.loadModel({ modelPath: path, vocabOnly: options.vocabOnly ?? false });
  } catch (e) {
    throw new BackendError(`${path}: cannot load the GGUF model: ${(e as Error).message}`, { cause: e });
  }
}
