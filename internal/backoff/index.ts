/**
 * How long to wait before trying again: doubling from a first wait up to a cap. One formula for the loops that retry
 * something outside taskmaster (the first NATS connection, cron fires, backups), so they all back off alike.
 */

/** The wait before retry number `failures` (1, 2, 3 ...): firstMs, 2 × firstMs, 4 × firstMs ... at most maxMs. */
export function doublingDelayMs(failures: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.max(0, failures - 1));
}
