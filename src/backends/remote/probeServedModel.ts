import type { HttpOptions } from './httpJson.js';
import { type RemoteProtocolName, remoteProtocol } from './protocols/protocolRegistry.js';

/**
 * The served model's name without loading anything: the first endpoint that answers names it. Part of a remote
 * run's key, so that a run resumes on other endpoints serving the same model, and never on another model.
 */
export async function probeServedModelName(
  protocol: RemoteProtocolName,
  urls: readonly string[],
  http: HttpOptions,
): Promise<string | undefined> {
  for (const url of urls) {
    try {
      const { model } = await remoteProtocol(protocol).probe(url, http);
      if (model) return model;
    } catch {
      // the next endpoint may answer; RemoteBackend.create reports unreachable ones
    }
  }
  return undefined;
}
