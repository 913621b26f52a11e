/** Defaults of the remote backend, in one place: the eval configuration schema and the backend both read them. */
export const REMOTE_DEFAULTS = {
  /** Requests in flight per endpoint. */
  concurrency: 4,
  /** Per-request timeout. */
  timeoutMs: 300_000,
  /** Attempts per request before it counts as a failure. */
  maxAttempts: 8,
  /** Longest Retry-After (429/503) honoured; a longer ask waits this long and counts as a failed attempt. */
  maxRetryAfterMs: 60_000,
  /** Environment variable holding the API key (the key itself is never stored). */
  apiKeyEnv: 'HUMANLIKE_API_KEY',
  /** Tokens per window: prompt log-probabilities cost tokens × vocabulary memory on the server. */
  contextSize: 4096,
} as const;
