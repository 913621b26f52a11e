import { z } from 'zod';
import { timerMsSchema } from '../util/maxTimerMs.js';

/** The limits and defaults of `serve`, in one place: the CLI's flags carry none, their help prints these. */
export const serveConfigShape = {
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8000),
  /** Requests waiting at most; more get HTTP 503. */
  maxQueue: z.number().int().min(1).default(64),
  maxBodyBytes: z
    .number()
    .int()
    .min(1)
    .default(16 * 1024 * 1024),
  /** Longest text prompt in characters, checked before tokenizing. */
  maxPromptChars: z.number().int().min(1).default(1_000_000),
  /** Open connections at most: at the cap the longest-waiting unserved one is closed. */
  maxConnections: z.number().int().min(1).default(512),
  headersTimeoutMs: timerMsSchema().min(1).default(10_000),
  /** Time to receive a whole request (not the scoring). */
  requestTimeoutMs: timerMsSchema().min(1).default(60_000),
  /** On SIGINT/SIGTERM, time requests in progress get before connections are closed. */
  shutdownGraceMs: timerMsSchema().min(0).default(10_000),
};
export const serveConfigSchema = z.strictObject(serveConfigShape);
export type ServeConfig = z.infer<typeof serveConfigSchema>;
