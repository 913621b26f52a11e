import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';

/** One request the fake hub saw (to check Range resumes and where the token went). */
export interface SeenRequest {
  method: string;
  path: string;
  range: string | undefined;
  authorization: string | undefined;
}

export interface FakeHubOptions {
  /** repo ("user/name") → path → bytes, served at `/<repo>/resolve/main/<path>`. */
  models?: Record<string, Record<string, Buffer>>;
  /** repo → path → bytes, served at `/datasets/<repo>/resolve/main/<path>` and listed at `/api/datasets/<repo>/tree/main`. */
  datasets?: Record<string, Record<string, Buffer>>;
  /** Repositories that answer 401 unless `Authorization: Bearer <token>`. */
  gated?: string[];
  token?: string;
  /** The first GET of each file sends this many bytes, then drops the connection. */
  cutFirstGetAfterBytes?: number;
  /** Resolve requests redirect (302) to a CDN server on another origin, as the real hub does for LFS files. */
  viaCdn?: boolean;
  /** Entries per page of the tree listing (paged with `Link: <...>; rel="next"`). Default: all on one page. */
  pageSize?: number;
}

export interface FakeHub {
  url: string;
  requests: SeenRequest[];
  cdnRequests: SeenRequest[];
  close: () => Promise<void>;
}

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

const seen = (req: IncomingMessage, url: URL): SeenRequest => ({
  method: req.method ?? '',
  path: url.pathname + url.search,
  range: req.headers.range,
  authorization: req.headers.authorization,
});

/** Send a file with HEAD/GET and `Range: bytes=N-` (206, or 416 past the end), optionally cut part-way. */
function sendFile(req: IncomingMessage, res: ServerResponse, data: Buffer, cutAfter: number | undefined): void {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = m ? Number(m[1]) : 0;
  if (start >= data.length && m) {
    res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
    return;
  }
  const body = data.subarray(start);
  const headers: Record<string, string | number> = {
    'content-length': body.length,
    'accept-ranges': 'bytes',
    'content-type': 'application/octet-stream',
    etag: '"fake"',
  };
  if (m) headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
  res.writeHead(m ? 206 : 200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (cutAfter !== undefined && cutAfter < body.length) {
    res.write(body.subarray(0, cutAfter), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  res.end(body);
}

function treeListing(files: Record<string, Buffer>): unknown[] {
  const dirs = new Set<string>();
  const entries: unknown[] = [];
  for (const [path, data] of Object.entries(files)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    const lfs = path.endsWith('.parquet') || path.endsWith('.gguf');
    entries.push({
      type: 'file',
      oid: 'f'.repeat(40),
      size: data.length,
      path,
      ...(lfs && { lfs: { oid: 'a'.repeat(64), size: data.length, pointerSize: 130 } }),
    });
  }
  return [...[...dirs].map((d) => ({ type: 'directory', oid: 'd'.repeat(40), size: 0, path: d })), ...entries];
}

/**
 * A local HTTP server that mimics the Hugging Face hub's file endpoints: `/<repo>/resolve/main/<file>` (models),
 * `/datasets/<repo>/resolve/main/<file>`, `/api/datasets/<repo>/tree/main` and `/api/datasets/<repo>`, with HEAD,
 * Range, 401 for gated repositories without the token and 404 for anything missing.
 */
export async function startFakeHub(o: FakeHubOptions = {}): Promise<FakeHub> {
  const requests: SeenRequest[] = [];
  const cdnRequests: SeenRequest[] = [];
  const gotFirst = new Set<string>();
  const find = (kind: 'models' | 'datasets', repo: string, path: string): Buffer | undefined => o[kind]?.[repo]?.[path];
  const cdn = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    cdnRequests.push(seen(req, url));
    const m = /^\/cdn\/(models|datasets)\/([^/]+\/[^/]+)\/(.+)$/.exec(decodeURIComponent(url.pathname));
    const data = m ? find(m[1] as 'models' | 'datasets', m[2]!, m[3]!) : undefined;
    if (!data) return void res.writeHead(404).end();
    const key = `${m![1]}:${m![2]}/${m![3]}`;
    const cut = req.method === 'GET' && !gotFirst.has(key) ? o.cutFirstGetAfterBytes : undefined;
    if (req.method === 'GET') gotFirst.add(key);
    sendFile(req, res, data, cut);
  });
  const cdnUrl = await listen(cdn);
  const hub = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(seen(req, url));
    const path = decodeURIComponent(url.pathname);
    const api = /^\/api\/datasets\/([^/]+\/[^/]+)(\/tree\/main)?\/?$/.exec(path);
    const file = /^\/(datasets\/)?([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(path);
    const repo = api?.[1] ?? file?.[2];
    const kind = api || file?.[1] ? 'datasets' : 'models';
    if (repo === undefined || !o[kind]?.[repo]) {
      return void res
        .writeHead(404, { 'x-error-code': 'RepoNotFound', 'content-type': 'application/json' })
        .end('{"error":"Repository not found"}');
    }
    if (o.gated?.includes(repo) && req.headers.authorization !== `Bearer ${o.token}`) {
      return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"Access to this repository is restricted"}');
    }
    const files = o[kind][repo]!;
    if (api?.[2]) {
      const all = treeListing(files);
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const size = o.pageSize ?? all.length;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cursor + size < all.length) headers['link'] = `<${url.pathname}?recursive=true&cursor=${cursor + size}>; rel="next"`;
      return void res.writeHead(200, headers).end(JSON.stringify(all.slice(cursor, cursor + size)));
    }
    if (api)
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: repo, siblings: Object.keys(files).map((rfilename) => ({ rfilename })) }));
    const data = find(kind, repo, file![3]!);
    if (!data) return void res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
    if (o.viaCdn) return void res.writeHead(302, { location: `${cdnUrl}/cdn/${kind}/${repo}/${file![3]}` }).end();
    const key = `${kind}:${repo}/${file![3]}`;
    const cut = req.method === 'GET' && !gotFirst.has(key) ? o.cutFirstGetAfterBytes : undefined;
    if (req.method === 'GET') gotFirst.add(key);
    sendFile(req, res, data, cut);
  });
  const url = await listen(hub);
  const close = (s: Server): Promise<void> =>
    new Promise((done) => {
      s.closeAllConnections();
      s.close(() => done());
    });
  return { url, requests, cdnRequests, close: async () => void (await Promise.all([close(hub), close(cdn)])) };
}

/** A port on loopback where nothing listens (connections are refused at once), as a hub that is offline. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise<void>((done) => server.close(() => done()));
  return url;
}

/** A server that accepts connections and never answers: a hub behind a dead network path. */
export async function startSilentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createTcpServer((s) => void sockets.add(s));
  const url = await new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
  return {
    url,
    close: () =>
      new Promise((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
}
