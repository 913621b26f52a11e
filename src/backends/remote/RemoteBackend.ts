import { BackendError, CapabilityError, HumanlikeError, UsageError } from '../../errors.js';
import { excerptJson } from '../../util/excerptJson.js';
import {
  type Backend,
  type BackendCapabilities,
  isLocalTokenizer,
  type ModelIdentity,
  type ScoreRequest,
  type Tokenizer,
  type TokenScore,
} from '../Backend.js';
import { fileSha256 } from '../fileSha256.js';
import { createLlamaTokenizer } from '../LlamaTokenizer.js';
import { loadGgufModel, loadLlama } from '../loadLlama.js';
import { ImpossibleScoreError } from './checkLogprobs.js';
import { EndpointPool } from './EndpointPool.js';
import { displayUrl, type HttpOptions, RetryableError, requestJson } from './httpJson.js';
import { type RemoteProtocolName, remoteProtocol } from './protocols/protocolRegistry.js';
import type { Alternatives, RemoteProtocol } from './protocols/RemoteProtocol.js';
import { registerSecret, registerUrlCredentials } from './redactSecrets.js';
import { REMOTE_DEFAULTS } from './remoteDefaults.js';
import { ServerTokenizer } from './ServerTokenizer.js';

export interface RemoteOptions {
  endpoints: { url: string; concurrency?: number }[];
  protocol: RemoteProtocolName;
  /** Served model name (default: what the first endpoint reports). */
  model?: string;
  /** Local tokenizer: the model's GGUF or a vocab-only GGUF. Default: the server's /tokenize (vLLM-compatible only). */
  tokenizer?: string;
  /** Tokens per window. Default min(server max length, 4096): prompt log-probabilities cost tokens × vocabulary memory. */
  contextSize?: number;
  /** Per-request timeout. Default 300,000 ms. */
  timeoutMs?: number;
  /** Environment variable holding the API key. Default HUMANLIKE_API_KEY. */
  apiKeyEnv?: string;
  maxAttempts?: number;
  /** Longest wait a server's Retry-After may ask for; longer asks wait this long and count as a failed attempt. Default 60,000 ms. */
  maxRetryAfterMs?: number;
  /** Where warnings go (a capped Retry-After). Default: standard error. */
  onWarning?: (message: string) => void;
}

/** Fewest tokens per window a server must allow (as --context-size): a BOS, some context and a response. */
export const MIN_WINDOW_TOKENS = 16;

/** The length limit a server reported, checked: undefined when it reported none; a clear error when it is unusable. */
function checkMaxLen(url: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < MIN_WINDOW_TOKENS) {
    throw new CapabilityError(
      `${displayUrl(url)} reports max_model_len ${excerptJson(value)}; humanlike needs at least ${MIN_WINDOW_TOKENS} tokens per window (a context, a response and the token before it)`,
    );
  }
  return value;
}

/**
 * An API key must fit in an HTTP header (visible ASCII). A key read with its line ending (`\r` from a Windows file)
 * or pasted with a non-ASCII character would fail every request as "connection failed", and the run would blame
 * the endpoints. The key itself is never shown: only the position of the first character that cannot be sent.
 */
function checkApiKey(env: string, key: string | undefined): void {
  const bad = key === undefined ? -1 : key.search(/[^\x21-\x7e]/);
  if (bad >= 0)
    throw new UsageError(
      `$${env} holds a character an HTTP header cannot carry at position ${bad + 1} of ${key!.length} (a line ending, a space, a control character or a non-ASCII letter): set it to the key alone`,
    );
}

/** Name the kind of server that cannot return prompt log-probabilities, for a clear message. */
async function identifyNonScoringServer(url: string, http: HttpOptions): Promise<string | undefined> {
  const probe = async (path: string): Promise<boolean> =>
    requestJson(url, path, undefined, { ...http, timeoutMs: 5_000 }).then(
      () => true,
      () => false,
    );
  if (await probe('/api/version')) return 'Ollama';
  if (await probe('/props')) return "llama.cpp's llama-server";
  return undefined;
}

function noPromptLogprobs(url: string, server: string | undefined, protocol: string): CapabilityError {
  return new CapabilityError(
    `${displayUrl(url)}${server ? ` is ${server}, which` : ` (protocol ${protocol})`} returns no prompt log-probabilities; humanlike needs vLLM (/v1/completions with prompt_logprobs), SGLang (/generate with return_logprob), TGI with --enable-prefill-logprobs, or 'humanlike serve'`,
  );
}

/** A start-up request, tried up to 4 times while it fails as retryable (a server still warming up). */
async function retryingStart<T>(f: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if (!(e instanceof RetryableError) || attempt >= 4) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** Scores through one or many inference servers (vLLM, SGLang, TGI, humanlike serve), sharing the work among them. */
export class RemoteBackend implements Backend {
  private constructor(
    readonly identity: ModelIdentity,
    readonly capabilities: BackendCapabilities,
    readonly tokenizer: Tokenizer,
    private readonly pool: EndpointPool,
    private readonly protocol: RemoteProtocol,
    private readonly model: string,
    private readonly http: HttpOptions,
  ) {}

  static async create(o: RemoteOptions): Promise<RemoteBackend> {
    const protocol = remoteProtocol(o.protocol);
    if (o.endpoints.length === 0) throw new CapabilityError('no endpoint given');
    const keyEnv = o.apiKeyEnv ?? REMOTE_DEFAULTS.apiKeyEnv;
    const http: HttpOptions = { timeoutMs: o.timeoutMs ?? REMOTE_DEFAULTS.timeoutMs, apiKey: process.env[keyEnv] || undefined };
    // Known before any request, so that no message, record or output line can carry them.
    registerSecret(http.apiKey);
    checkApiKey(keyEnv, http.apiKey);
    for (const e of o.endpoints) registerUrlCredentials(e.url);
    const probeHttp: HttpOptions = { ...http, timeoutMs: Math.min(http.timeoutMs, 30_000) };
    // Model name and length limit, from every endpoint: they must serve the same model.
    const served: { url: string; model: string; maxLen: number | undefined }[] = [];
    const unavailable: { url: string; error: string }[] = [];
    for (const e of o.endpoints) {
      let model: string | undefined;
      let maxLen: number | undefined;
      try {
        const info = await protocol.probe(e.url, probeHttp, o.model);
        model = info.model;
        maxLen = checkMaxLen(e.url, info.maxLen);
      } catch (err) {
        if (err instanceof CapabilityError) throw err;
        const server = await identifyNonScoringServer(e.url, probeHttp);
        if (server) throw noPromptLogprobs(e.url, server, protocol.name);
        // An endpoint that is down now may come back: it stays in the pool, which retries it after a rest.
        unavailable.push({ url: displayUrl(e.url), error: (err as Error).message });
        continue;
      }
      served.push({ url: e.url, model: o.model ?? model ?? '', maxLen });
    }
    if (served.length === 0) {
      throw new BackendError(`no endpoint is reachable: ${unavailable.map((u) => u.error).join('; ')}`);
    }
    const model = o.model ?? served[0]?.model ?? '';
    const other = served.find((s) => s.model !== model && o.model === undefined);
    if (other)
      throw new CapabilityError(`endpoints serve different models (${model} and ${other.model}); give --served-model or separate runs`);

    const warn = o.onWarning ?? ((m: string) => process.stderr.write(`humanlike: ${m}\n`));
    const pool = new EndpointPool(
      o.endpoints.map((e) => ({ url: e.url, concurrency: e.concurrency ?? REMOTE_DEFAULTS.concurrency })),
      {
        ...(o.maxAttempts !== undefined && { maxAttempts: o.maxAttempts }),
        ...(o.maxRetryAfterMs !== undefined && { maxRetryAfterMs: o.maxRetryAfterMs }),
        onWarning: warn,
      },
    );
    let tokenizer: Tokenizer;
    let chatTemplate: string | undefined;
    if (o.tokenizer) {
      const llama = await loadLlama('cpu');
      const vocab = await loadGgufModel(llama, o.tokenizer, { vocabOnly: true });
      tokenizer = createLlamaTokenizer(vocab, await fileSha256(o.tokenizer));
      const t = (vocab.fileInfo.metadata.tokenizer as { chat_template?: unknown } | undefined)?.chat_template;
      chatTemplate = typeof t === 'string' ? t : undefined;
    } else if (protocol.serverTokenizer) {
      tokenizer = await ServerTokenizer.create(served[0]!.url, model, probeHttp, (body) =>
        pool.run((url) => requestJson(url, '/tokenize', body, http)),
      );
    } else {
      throw new CapabilityError(
        `--protocol ${o.protocol} needs a local tokenizer: give --tokenizer <gguf> (the model's GGUF or a vocab-only GGUF)`,
      );
    }
    const maxLen = Math.min(...served.map((s) => s.maxLen ?? Number.POSITIVE_INFINITY));
    const contextSize = Math.min(o.contextSize ?? REMOTE_DEFAULTS.contextSize, Number.isFinite(maxLen) ? maxLen : Number.POSITIVE_INFINITY);
    const identity: ModelIdentity = {
      name: model,
      kind: o.protocol,
      location: o.endpoints.map((e) => displayUrl(e.url)).join(' '),
      details: {
        endpoints: o.endpoints.map((e) => ({ url: displayUrl(e.url), concurrency: e.concurrency ?? REMOTE_DEFAULTS.concurrency })),
        unavailableAtStart: unavailable,
        maxModelLen: Number.isFinite(maxLen) ? maxLen : null,
        tokenizer: o.tokenizer ?? 'server /tokenize',
      },
    };
    const capabilities: BackendCapabilities = {
      contextSize,
      chatTemplate,
      top1: protocol.top1,
      // Choice distributions also need a local tokenizer (TokenScorer checks): a protocol that has them requires one.
      alternatives: protocol.alternatives,
      batchSequences: pool.totalConcurrency,
    };
    const backend = new RemoteBackend(identity, capabilities, tokenizer, pool, protocol, model, http);
    // Prove before the run that every reachable endpoint returns prompt log-probabilities.
    for (const e of served) await backend.verify(e.url, probeHttp);
    return backend.checkAlternatives(
      served.map((e) => e.url),
      probeHttp,
      warn,
    );
  }

  /**
   * This backend when every endpoint gives the alternatives it asks for (or it asks for none); else a copy without
   * them, with a warning: a server too old for token_ids_logprob still scores every response, and only the choice
   * distributions are not stored (null).
   */
  private async checkAlternatives(urls: readonly string[], http: HttpOptions, warn: (m: string) => void): Promise<RemoteBackend> {
    if (!this.capabilities.alternatives) return this;
    for (const url of urls) {
      const why = await retryingStart(() => this.verifyAlternatives(url, http));
      if (why === undefined) continue;
      warn(`${displayUrl(url)} returns no log-probabilities of given tokens (${why}): choice distributions are not stored for this run`);
      const identity = { ...this.identity, details: { ...this.identity.details, alternatives: `off: ${why}` } };
      const capabilities = { ...this.capabilities, alternatives: false };
      return new RemoteBackend(identity, capabilities, this.tokenizer, this.pool, this.protocol, this.model, this.http);
    }
    return this;
  }

  /** Why a server cannot give alternatives (a reply without them), or undefined when it gives them. */
  private async verifyAlternatives(url: string, http: HttpOptions): Promise<string | undefined> {
    const tokens = await this.probeTokens();
    const last = tokens.length - 1;
    const alternatives = new Map([[last, [...new Set([tokens[last]!, tokens[1]!])]]]);
    const spec = this.requestFor(tokens, alternatives);
    try {
      // A 4xx (a server that refuses the unknown field) says it has no such feature; a 5xx or a timeout is retried.
      const json = await requestJson(url, spec.path, spec.body, http);
      this.parseReply(url, json, tokens, [last], alternatives);
      return undefined;
    } catch (e) {
      // Values no model can produce are the server's fault, not a missing feature: the run is refused.
      if (e instanceof ImpossibleScoreError || e instanceof RetryableError || !(e instanceof BackendError)) throw e;
      return e.message.replace(/^.*?unexpected response:? ?/, '');
    }
  }

  private verify(url: string, http: HttpOptions): Promise<void> {
    return retryingStart(() => this.verifyOnce(url, http));
  }

  /** The short sequence the start-up checks send (BOS first when the model uses one, as a scoring request has it). */
  private async probeTokens(): Promise<number[]> {
    const tok = (await this.tokenizer.tokenizeWithRanges('The cat sat on the mat.', false)).tokens;
    return this.tokenizer.addBos && this.tokenizer.bos !== undefined ? [this.tokenizer.bos, ...tok] : tok;
  }

  private async verifyOnce(url: string, http: HttpOptions): Promise<void> {
    const tokens = await this.probeTokens();
    const spec = this.requestFor(tokens);
    let json: unknown;
    try {
      json = await requestJson(url, spec.path, spec.body, http);
    } catch (e) {
      if (e instanceof RetryableError) throw e;
      const server = await identifyNonScoringServer(url, http);
      if (server) throw noPromptLogprobs(url, server, this.protocol.name);
      throw e;
    }
    try {
      this.parseReply(url, json, tokens, [tokens.length - 1]);
    } catch (e) {
      if (e instanceof ImpossibleScoreError) throw e;
      throw noPromptLogprobs(url, await identifyNonScoringServer(url, http), this.protocol.name);
    }
  }

  /**
   * A server reply read by the protocol. The reply is untrusted JSON of any shape: whatever a parser trips on (a null
   * where an entry should be) is that server's fault, a BackendError naming it, never an internal error.
   */
  private parseReply(
    url: string,
    json: unknown,
    tokens: readonly number[],
    positions: readonly number[],
    alternatives?: Alternatives,
  ): TokenScore[] {
    const endpoint = displayUrl(url);
    try {
      return this.protocol.parseResponse(endpoint, json, tokens, positions, alternatives);
    } catch (e) {
      if (e instanceof HumanlikeError) throw e;
      throw new BackendError(`${endpoint}: unexpected response (${(e as Error)?.message ?? String(e)})`, { endpoint, cause: e });
    }
  }

  /** The protocol's request for a window: token ids, or (for protocols that take text) the window's text too. */
  private requestFor(tokens: readonly number[], alternatives?: Alternatives): ReturnType<RemoteProtocol['buildRequest']> {
    if (this.protocol.acceptsTokenIds) return this.protocol.buildRequest(this.model, tokens, undefined, alternatives);
    // create() gives text-only protocols a local tokenizer.
    if (!isLocalTokenizer(this.tokenizer))
      throw new CapabilityError(`--protocol ${this.protocol.name} needs a local tokenizer (--tokenizer <gguf>)`);
    const body = this.tokenizer.addBos && tokens[0] === this.tokenizer.bos ? tokens.slice(1) : tokens;
    return this.protocol.buildRequest(this.model, tokens, this.tokenizer.detokenize(body, false), alternatives);
  }

  scoreTokens(requests: readonly ScoreRequest[]): Promise<TokenScore[][]> {
    return Promise.all(
      requests.map((r) => {
        // Alternatives go only to a protocol that can ask for them (capabilities.alternatives keeps others from getting any).
        const alternatives = this.protocol.alternatives ? r.alternatives : undefined;
        const spec = this.requestFor(r.tokens, alternatives);
        return this.pool.run(async (url) =>
          this.parseReply(url, await requestJson(url, spec.path, spec.body, this.http), r.tokens, r.positions, alternatives),
        );
      }),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
