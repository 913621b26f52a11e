import { HttpFailure } from './HttpFailure.js';

export interface RequestQueue {
  /**
   * Run `work` after every earlier one (one engine sequence serves requests in order). Refused with 503 when
   * `maxWaiting` requests are already in the queue (the one running included), and skipped when `abandoned()` says
   * the client has gone by the time its turn comes.
   */
  run<T>(work: () => Promise<T> | T, abandoned?: () => boolean): Promise<T>;
  /** Refuse new work and drop what has not started (503); the work running finishes. */
  stop(): void;
  /** Resolves when the queue is empty. */
  drain(): Promise<void>;
}

export function createRequestQueue(maxWaiting: number): RequestQueue {
  let chain: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  let stopped = false;
  const shuttingDown = (): HttpFailure => new HttpFailure(503, 'the server is shutting down', { connection: 'close' });
  return {
    run<T>(work: () => Promise<T> | T, abandoned?: () => boolean): Promise<T> {
      if (stopped) return Promise.reject(shuttingDown());
      if (waiting >= maxWaiting)
        return Promise.reject(new HttpFailure(503, `queue full (${maxWaiting} requests waiting)`, { 'retry-after': '1' }));
      waiting++;
      const start = async (): Promise<T> => {
        if (stopped) throw shuttingDown();
        if (abandoned?.()) throw new HttpFailure(499, 'the client closed the connection before its turn');
        return work();
      };
      const p = chain.then(start, start);
      chain = p.catch(() => undefined).finally(() => void waiting--);
      return p;
    },
    stop: () => void (stopped = true),
    drain: () => chain.then(() => undefined),
  };
}
