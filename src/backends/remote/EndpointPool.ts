import { BackendError } from '../../errors.js';
import { RetryableError } from './httpJson.js';
import { REMOTE_DEFAULTS } from './remoteDefaults.js';

export interface PoolEndpoint {
  url: string;
  /** Requests in flight at most. */
  concurrency: number;
}

interface State extends PoolEndpoint {
  inFlight: number;
  failures: number;
  downUntil: number;
}

export interface PoolOptions {
  /** Attempts per request before it fails. Default 8. */
  maxAttempts?: number;
  /** First backoff delay; it doubles per attempt (with jitter), capped at 30 s. Default 250 ms. */
  baseDelayMs?: number;
  /** Consecutive failures after which an endpoint rests (5 s, doubling, at most 60 s). Default 3. */
  failuresToRest?: number;
  /**
   * Longest wait a server's Retry-After may ask for (a 429 or 503 asking for a day would stall the run in silence).
   * A longer ask waits this long, is reported through onWarning, and counts as a failed attempt like any other.
   * Default 60,000 ms.
   */
  maxRetryAfterMs?: number;
  /** Receives one line per capped Retry-After. Default: nothing. */
  onWarning?: (message: string) => void;
}

/** Default cap on a server's Retry-After. */

/**
 * Shares work among endpoints: each request goes to the least-loaded endpoint that has a free slot and is not
 * resting; a failed attempt is retried with backoff, preferably elsewhere, so a slow or dead endpoint does not stall
 * the others. An endpoint that keeps failing rests for a while and is then tried again.
 */
export class EndpointPool {
  private readonly states: State[];
  private waiters: (() => void)[] = [];
  /** When each endpoint's capped Retry-After was last reported: once a minute, not once per request. */
  private readonly warnedAt = new Map<string, number>();

  constructor(
    endpoints: readonly PoolEndpoint[],
    private readonly o: PoolOptions = {},
  ) {
    this.states = endpoints.map((e) => ({ ...e, inFlight: 0, failures: 0, downUntil: 0 }));
  }

  get totalConcurrency(): number {
    return this.states.reduce((n, s) => n + s.concurrency, 0);
  }

  private pick(avoid: string | undefined): State | undefined {
    const now = Date.now();
    const free = this.states.filter((s) => s.inFlight < s.concurrency && s.downUntil <= now);
    const preferred = free.filter((s) => s.url !== avoid);
    const pool = preferred.length ? preferred : free;
    return pool.sort((a, b) => a.inFlight / a.concurrency - b.inFlight / b.concurrency || a.failures - b.failures)[0];
  }

  private async acquire(avoid: string | undefined): Promise<State> {
    for (;;) {
      const s = this.pick(avoid);
      if (s) {
        s.inFlight++;
        return s;
      }
      // Wait for a slot, or for a resting endpoint to come back.
      const wake = Math.min(...this.states.map((x) => (x.downUntil > Date.now() ? x.downUntil - Date.now() : 1_000)));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(10, wake));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private release(s: State): void {
    s.inFlight--;
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
  }

  /** The wait a failure's Retry-After asks for, capped (and reported when capped). */
  private retryAfterWait(e: RetryableError): number {
    const asked = e.retryAfterMs ?? 0;
    const cap = this.o.maxRetryAfterMs ?? REMOTE_DEFAULTS.maxRetryAfterMs;
    if (asked <= cap) return asked;
    const key = e.endpoint ?? '';
    if (Date.now() - (this.warnedAt.get(key) ?? 0) < 60_000) return cap;
    this.warnedAt.set(key, Date.now());
    this.o.onWarning?.(
      `${e.endpoint ?? 'the server'} asks to wait ${Math.round(asked / 1000)} s (Retry-After); waiting ${Math.round(cap / 1000)} s (--max-retry-after) and counting a failed attempt`,
    );
    return cap;
  }

  /** Run `call` on some endpoint, retrying retryable failures. Non-retryable errors fail at once. */
  async run<T>(call: (url: string) => Promise<T>): Promise<T> {
    const maxAttempts = this.o.maxAttempts ?? REMOTE_DEFAULTS.maxAttempts;
    const base = this.o.baseDelayMs ?? 250;
    let avoid: string | undefined;
    let last: RetryableError | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const s = await this.acquire(avoid);
      try {
        const out = await call(s.url);
        s.failures = 0;
        return out;
      } catch (e) {
        if (!(e instanceof RetryableError)) throw e;
        last = e;
        s.failures++;
        // Rest a failing endpoint only while another one can take its work; alone, it is just retried with backoff.
        const others = this.states.some((x) => x !== s && x.downUntil <= Date.now());
        if (others && s.failures >= (this.o.failuresToRest ?? 3))
          s.downUntil = Date.now() + Math.min(60_000, 5_000 * 2 ** (s.failures - (this.o.failuresToRest ?? 3)));
        avoid = s.url;
      } finally {
        this.release(s);
      }
      if (attempt + 1 >= maxAttempts) break; // no wait after the last attempt
      const backoff = Math.min(30_000, base * 2 ** attempt) * (0.5 + Math.random() / 2);
      await new Promise((r) => setTimeout(r, Math.max(backoff, last ? this.retryAfterWait(last) : 0)));
    }
    throw new BackendError(`gave up after ${maxAttempts} attempts; last error: ${last?.message ?? 'unknown'}`, {
      ...(last?.endpoint && { endpoint: last.endpoint }),
      ...(last?.status !== undefined && { status: last.status }),
    });
  }
}
