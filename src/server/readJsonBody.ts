import type { IncomingMessage } from 'node:http';
import { HttpFailure } from './HttpFailure.js';

/**
 * The JSON body of a POST. Only `application/json` is read: a web page can send `text/plain` (or form) requests to
 * any local origin without a CORS preflight, and must not reach the model that way.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    const found = req.headers['content-type'] === undefined ? 'none' : `'${req.headers['content-type'].slice(0, 80)}'`;
    throw new HttpFailure(415, `content-type must be application/json, found ${found}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpFailure(413, `request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpFailure(400, 'request body is not valid JSON');
  }
}
