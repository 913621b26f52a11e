import { requestJson, type HttpOptions } from './httpJson.js';
import type { RemoteProtocol } from './protocols.js';

/** What an endpoint says it serves: model name and longest input, from the protocol's info route. */
export async function probeServedModel(protocol: RemoteProtocol, url: string, http: HttpOptions, wanted?: string): Promise<{ model: string | undefined; maxLen: number | undefined }> {
  if (protocol === 'vllm') {
    const r = (await requestJson(url, '/v1/models', undefined, http)) as { data?: { id: string; max_model_len?: number }[] };
    const m = r.data?.find((x) => !wanted || x.id === wanted) ?? r.data?.[0];
    return { model: m?.id, maxLen: m?.max_model_len };
  }
  if (protocol === 'sglang') {
    const r = (await requestJson(url, '/get_model_info', undefined, http)) as { model_path?: string };
    return { model: r.model_path, maxLen: undefined };
  }
  const r = (await requestJson(url, '/info', undefined, http)) as { model_id?: string; max_input_tokens?: number; max_input_length?: number };
  return { model: r.model_id, maxLen: r.max_input_tokens ?? r.max_input_length };
}

/**
 * The served model's name without loading anything: the first endpoint that answers names it. Part of a remote
 * run's key, so that a run resumes on other endpoints serving the same model, and never on another model.
 */
export async function probeServedModelName(protocol: RemoteProtocol, urls: readonly string[], http: HttpOptions): Promise<string | undefined> {
  for (const url of urls) {
    try {
      const { model } = await probeServedModel(protocol, url, http);
      if (model) return model;
    } catch {
      // the next endpoint may answer; RemoteBackend.create reports unreachable ones
    }
  }
  return undefined;
}
