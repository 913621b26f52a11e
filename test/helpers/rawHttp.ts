import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One HTTP request with exactly the headers given (fetch may not set `Host`, and adds a content type to string
 * bodies). A fresh connection each time.
 */
export function requestRaw(
  url: string,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: o.method ?? 'GET',
        path: o.path,
        headers: o.headers ?? {},
        agent: false,
        setHost: o.headers?.['host'] === undefined,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.setTimeout(o.timeoutMs ?? 10_000, () =>
      req.destroy(new Error(`no answer to ${o.method ?? 'GET'} ${o.path} within ${o.timeoutMs ?? 10_000} ms`)),
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** POST a JSON body with `content-type: application/json`; the parsed answer and status. */
export async function postJson(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<{ status: number; json: unknown }> {
  const r = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: r.status, json: await r.json() };
}

export interface SlowConnection {
  socket: Socket;
  /** Resolves with the time (Date.now()) the server closed the connection. */
  closed: Promise<number>;
  isClosed: () => boolean;
}

/**
 * A slow-body client: complete headers announcing a 100,000-byte JSON body, then one byte every `everyMs` for ever
 * (until the server closes the connection or the caller destroys the socket).
 */
export function openSlowConnection(url: string, everyMs = 200): Promise<SlowConnection> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    let isClosed = false;
    let connected = false;
    const closed = new Promise<number>((done) =>
      socket.once('close', () => {
        isClosed = true;
        clearInterval(timer);
        done(Date.now());
      }),
    );
    socket.on('error', () => undefined); // a reset by the server is what some tests expect
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(' ');
    }, everyMs);
    socket.once('connect', () => {
      connected = true;
      socket.write(
        `POST /tokenize HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"prompt":"`,
      );
      resolve({ socket, closed, isClosed: () => isClosed });
    });
    socket.once('error', (e) => {
      if (!connected) {
        clearInterval(timer);
        reject(e);
      }
    });
  });
}
