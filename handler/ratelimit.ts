/**
 * A token bucket per key (a client's address), in memory: `burst` attempts at once, then one more every
 * `intervalMs`. Kept for at most `maxKeys` keys; past that the longest-unused is forgotten, so a flood of
 * addresses costs bounded memory (a forgotten client only gets its burst back).
 */
export interface RateLimit {
  /** Takes one attempt for `key`: 0 when allowed, else the milliseconds until the next one is. */
  take(key: string, nowMs: number): number;
}

export interface BucketOptions {
  readonly burst: number;
  readonly intervalMs: number;
  readonly maxKeys?: number;
}

export function tokenBucket(options: BucketOptions): RateLimit {
  const { burst, intervalMs, maxKeys = 10_000 } = options;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, nowMs) {
      const held = buckets.get(key);
      const refilled = held
        ? Math.min(burst, held.tokens + Math.max(0, nowMs - held.at) / intervalMs)
        : burst;
      // Re-inserted on every take, so the Map's first key is the longest-unused.
      buckets.delete(key);
      if (refilled < 1) {
        buckets.set(key, { tokens: refilled, at: nowMs });
        return Math.ceil((1 - refilled) * intervalMs);
      }
      buckets.set(key, { tokens: refilled - 1, at: nowMs });
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value ?? key);
      return 0;
    },
  };
}
