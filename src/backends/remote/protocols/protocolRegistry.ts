import type { RemoteProtocol } from './RemoteProtocol.js';
import { sglang } from './sglang.js';
import { tgi } from './tgi.js';
import { vllm } from './vllm.js';

/** The protocols --protocol accepts (the tuple feeds the configuration schema and the CLI's choices). */
export const REMOTE_PROTOCOLS = ['vllm', 'sglang', 'tgi'] as const;
export type RemoteProtocolName = (typeof REMOTE_PROTOCOLS)[number];

/** Adding a protocol: one file implementing RemoteProtocol, and its line here and in REMOTE_PROTOCOLS. */
const REGISTRY: Record<RemoteProtocolName, RemoteProtocol> = { vllm, sglang, tgi };

export function remoteProtocol(name: RemoteProtocolName): RemoteProtocol {
  return REGISTRY[name];
}
