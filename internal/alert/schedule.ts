/**
 * How often digests go out (flowlord's `handleNotifications` back-off): while alerts keep coming the wait
 * doubles from min up to max, so a long outage sends a few digests rather than one every few minutes; one quiet
 * check resets it to min, so the next incident is reported quickly. A pure state machine: the caller owns timers.
 * It is the same back-off as a retry's (internal/backoff), counted in digests sent in a row instead of failures.
 */
import { doublingDelayMs } from "../backoff/index.ts";

export interface DigestScheduleOptions {
  minMs: number;
  /** Clamped to at least `minMs` (config already raises it to 16 × min, as flowlord does). */
  maxMs: number;
}

export interface DigestDecision {
  /** Send a digest of what is new now. */
  send: boolean;
  /** How long to wait before the next check. */
  waitMs: number;
}

export interface DigestSchedule {
  /** One check: `hasNew` says whether alerts arrived since the last digest. */
  next(now: Date, hasNew: boolean): DigestDecision;
  /** The current wait between checks, for the about page. */
  readonly currentMs: number;
  /** When the last digest was decided on, or null before the first. */
  readonly lastSentAt: Date | null;
}

export function createDigestSchedule(options: DigestScheduleOptions): DigestSchedule {
  const minMs = options.minMs;
  const maxMs = Math.max(options.maxMs, minMs);
  /** Digests sent since the last quiet check: the wait after n of them is min × 2^n, at most max. */
  let sentInARow = 0;
  const waitMs = () => doublingDelayMs(sentInARow + 1, minMs, maxMs);
  let lastSentAt: Date | null = null;
  return {
    next(now, hasNew) {
      if (hasNew) {
        sentInARow++;
        lastSentAt = now;
        return { send: true, waitMs: waitMs() };
      }
      sentInARow = 0;
      return { send: false, waitMs: waitMs() };
    },
    get currentMs() {
      return waitMs();
    },
    get lastSentAt() {
      return lastSentAt;
    },
  };
}
