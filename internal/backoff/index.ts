/**
 * How long to wait before trying again: doubling from a first wait up to a cap. One formula for every loop that
 * retries something outside taskmaster or backs off while trouble lasts (the first NATS connection, publishes
 * awaiting a stream, a worker's done message, cron fires, backups, Slack posts, digests), so they all back off alike.
 *
 * Jitter, for clients that fail together (the workers of one outage) and must not come back together, is "equal
 * jitter": a wait drawn evenly from the upper half of the doubled wait. Not "full jitter" (anywhere in [0, wait)):
 * that can draw a wait near 0 at any step, so a client's attempts against a server that is down would come in
 * bursts, each one a logged failure. Keeping the lower half, the waits still grow step by step, and the upper half
 * is room enough to spread the clients out.
 */

export interface DelayOptions {
  /** Spread the wait over its upper half ([wait / 2, wait]), drawing from `random`. */
  readonly jitter?: "equal";
  /** A number in [0, 1); Math.random unless a test fixes it. */
  readonly random?: () => number;
}

/**
 * The wait before retry number `failures` (1, 2, 3 ...): firstMs, 2 × firstMs, 4 × firstMs ... at most maxMs,
 * then jittered if asked (rounded to whole milliseconds).
 */
export function doublingDelayMs(
  failures: number,
  firstMs: number,
  maxMs: number,
  options: DelayOptions = {},
): number {
  // Past 2^52 × firstMs every cap is reached; stopping there keeps a first wait of 0 at 0 (0 × 2^1024 is NaN).
  const delayMs = Math.min(maxMs, firstMs * 2 ** Math.min(52, Math.max(0, failures - 1)));
  if (options.jitter !== "equal") return delayMs;
  const random = options.random ?? Math.random;
  return Math.round(delayMs / 2 + (random() * delayMs) / 2);
}
