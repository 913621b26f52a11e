export interface AccessLogEntry {
  method: string;
  /** The request path without its query string (which could carry secrets). */
  path: string;
  /** The status sent; undefined when none was (the client went away, or a request timeout closed it). */
  status: number | undefined;
  ms: number;
  /** Prompt tokens, for requests that have them. */
  tokens?: number | undefined;
  /** The client went away before the answer was sent. */
  aborted?: boolean;
}

/**
 * One access-log line: `2026-01-01T00:00:00.000Z POST /v1/completions 200 41ms tokens=812`. Never bodies or headers
 * (they carry prompts and API keys); bytes outside printable ASCII in the path are escaped so a request cannot
 * write terminal control sequences into the log.
 */
export function formatAccessLogLine(e: AccessLogEntry, now = new Date()): string {
  const path = e.path.slice(0, 200).replace(/[^\x21-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const tokens = e.tokens === undefined ? '' : ` tokens=${e.tokens}`;
  return `${now.toISOString()} ${e.method} ${path} ${e.status ?? '-'} ${Math.round(e.ms)}ms${tokens}${e.aborted ? ' aborted' : ''}`;
}
