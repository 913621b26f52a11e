/**
 * Secrets never reach a message, a log line or the results database. Two tools: `displayUrl`, the one function that
 * turns an endpoint URL into text (credentials and query stripped), and `scrubSecrets`, which removes every secret
 * this process was given (API keys, URL user names and passwords, in the forms a server could echo back) from any
 * text. The secrets are registered once, where they are read (the remote backend), so that the sinks far from there
 * (the results store, the CLI's error line) can scrub without knowing where text came from.
 */

const REDACTED = '***';
const secrets = new Set<string>();

/** An endpoint URL without credentials or query, safe for messages and run records. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

/** Remember a secret (and its encoded forms) so that scrubSecrets removes it. Values under 4 characters are ignored. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 4) return;
  for (const form of [value, encodeURIComponent(value), Buffer.from(value).toString('base64'), JSON.stringify(value).slice(1, -1)])
    secrets.add(form);
}

/**
 * A URL user name or password as the user meant it: percent-decoded, or taken literally where it is not valid
 * percent-encoding (a password typed with a bare `%`, as in `http://user:50%off@host`, is not an error).
 */
export function decodeUserinfo(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Register the credentials of an endpoint URL: user, password, and the Basic authorization token made of them. */
export function registerUrlCredentials(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return;
  }
  if (!u.username && !u.password) return;
  const user = decodeUserinfo(u.username);
  const password = decodeUserinfo(u.password);
  for (const s of [user, password, u.username, u.password, `${user}:${password}`]) registerSecret(s);
}

/** Text with every registered secret, and the credentials of any URL in it, replaced by `***`. */
export function scrubSecrets(text: string): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@'"<>]*@/gi, '$1');
  // Longest first, so that a secret containing another is removed whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}
