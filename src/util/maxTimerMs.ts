import { z } from 'zod';

/**
 * The longest delay a Node.js timer can wait: 2^31 − 1 ms (24.8 days). A longer one does not wait longer: Node
 * fires it after 1 ms (with a TimeoutOverflowWarning), so a "very long" timeout would time every request out at once.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** A whole number of milliseconds that a timer can wait (at most MAX_TIMER_MS), for the configuration schemas. */
export function timerMsSchema(): z.ZodNumber {
  return z
    .number()
    .int()
    .max(MAX_TIMER_MS, { error: `at most ${MAX_TIMER_MS} ms (24.8 days, the longest wait a Node.js timer can hold)` });
}
