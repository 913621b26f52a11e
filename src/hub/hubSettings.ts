import { MAX_TIMER_MS } from '../util/maxTimerMs.js';

/** The public Hugging Face hub; `HF_ENDPOINT` points humanlike at a mirror (or a test server) instead. */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** Default of `HUMANLIKE_HUB_TIMEOUT_MS`: the longest wait for the hub to answer, or for a download's next bytes. */
export const DEFAULT_HUB_TIMEOUT_MS = 15_000;

/** Where the hub is, the token to send it, and how long to wait for it. */
export interface HubSettings {
  /** Base URL without a trailing slash: `$HF_ENDPOINT`, default https://huggingface.co. */
  endpoint: string;
  /** `$HF_TOKEN` (or the older `$HUGGING_FACE_HUB_TOKEN`): sent to the hub only, never to a redirect elsewhere. */
  token: string | undefined;
  /** `$HUMANLIKE_HUB_TIMEOUT_MS`, default 15,000; at most MAX_TIMER_MS (a longer wait is that). */
  timeoutMs: number;
}

/** Read the hub settings from the environment (the same variables the `huggingface_hub` tools use). */
export function readHubSettings(env: NodeJS.ProcessEnv = process.env): HubSettings {
  const endpoint = (env['HF_ENDPOINT'] || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
  const token = env['HF_TOKEN'] || env['HUGGING_FACE_HUB_TOKEN'] || undefined;
  const timeout = Number(env['HUMANLIKE_HUB_TIMEOUT_MS']);
  // A timer cannot wait longer than MAX_TIMER_MS (Node fires a longer one at once): a longer ask waits that long.
  const timeoutMs = Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, MAX_TIMER_MS) : DEFAULT_HUB_TIMEOUT_MS;
  return { endpoint, token, timeoutMs };
}

/** A path inside a hub repository as a URL path: each segment encoded, the slashes kept. */
export function encodeHubPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** True when a repository path is safe to mirror under a local folder (no `..`, no absolute or empty segments). */
export function isSafeHubPath(path: string): boolean {
  const parts = path.split('/');
  return parts.length > 0 && parts.every((p) => p !== '' && p !== '.' && p !== '..' && !p.includes('\\') && !p.includes('\0'));
}
