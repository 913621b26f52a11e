import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIPv4 } from 'node:net';
import { HttpFailure } from './HttpFailure.js';

/** Whether `host` (a --host value) is a loopback address: localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIPv4(v4) && v4.startsWith('127.');
}

export interface RequestGuardOptions {
  /** The address the server is bound to. */
  host: string;
  /** The port it listens on (known once listening). */
  port: () => number;
  /** When set, every request but GET /health must send `Authorization: Bearer <apiKey>`. */
  apiKey?: string | undefined;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Who may call the server. On a loopback address the Host header must name loopback, so a web page whose DNS name
 * was rebound to 127.0.0.1 is refused (403). With an API key, the Bearer token is compared in
 * constant time (401 otherwise). Off loopback the Host is not checked: clients reach the server by names it cannot
 * know, and the API key guards it.
 */
export function createRequestGuard(o: RequestGuardOptions): (req: IncomingMessage, route: string) => void {
  const names = new Set([
    'localhost',
    '127.0.0.1',
    '[::1]',
    o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host.toLowerCase(),
  ]);
  const expected = o.apiKey === undefined ? undefined : sha256(o.apiKey);
  return (req, route) => {
    if (isLoopbackHost(o.host)) checkHost(req.headers.host, names, o.port());
    if (expected && route !== 'GET /health') {
      const token = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      // Hash both sides: equal lengths for timingSafeEqual, and no early exit that depends on the key.
      if (!timingSafeEqual(sha256(token), expected) || token === '') {
        throw new HttpFailure(401, 'missing or wrong API key: send Authorization: Bearer <key>', { 'www-authenticate': 'Bearer' });
      }
    }
  };
}

/**
 * The name in the Host header must be a loopback one. Its port is not compared: a rebinding page sends its own
 * name whatever the port, and an SSH tunnel or proxy on another local port (`ssh -L 9000:localhost:8000`) sends
 * its own port.
 */
function checkHost(header: string | undefined, names: Set<string>, port: number): void {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(header ?? '');
  if (m && names.has(m[1]!.toLowerCase())) return;
  const shown = header === undefined ? 'missing' : JSON.stringify(header.slice(0, 100));
  throw new HttpFailure(
    403,
    `Host header ${shown} is not this server: on loopback it answers only the names localhost, 127.0.0.1 or [::1] (e.g. localhost:${port}), a guard against DNS rebinding`,
  );
}
