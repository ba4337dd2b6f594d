/**
 * Retry delays: exponential backoff with flowlord's additive jitter.
 *
 * The delay before retry n (1-based) is min(retry_max_delay, retry_delay × backoff^(n-1)) plus a random 0-40 % of
 * that. With backoff=1 this is flowlord's constant delay in [d, 1.4·d).
 *
 * A rule of the workflow, not the service's own retry wait (internal/backoff): the multiplier is the rule's
 * `backoff=`, the jitter is added on top of the capped delay as flowlord adds it, and it is drawn from the retry's
 * identity, so a repeated plan gives the same delay.
 */
import { createHash } from "node:crypto";
import type { Rule } from "../rule/index.ts";

/** The largest share of the delay added as jitter. */
export const jitterShare = 0.4;

/** Milliseconds to wait before retry `n` (1-based), given a random number in [0, 1). */
export function retryDelayMs(rule: Rule, n: number, random: number): number {
  const base = Math.min(rule.retryMaxDelayMs, rule.retryDelayMs * rule.backoff ** Math.max(0, n - 1));
  return Math.floor(base + random * jitterShare * base);
}

/** A number in [0, 1) determined by `seed` (its SHA-256), so the same retry always draws the same jitter. */
export function seededRandom(seed: string): number {
  return createHash("sha256").update(seed).digest().readUInt32BE(0) / 2 ** 32;
}
