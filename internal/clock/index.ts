/**
 * The clock: where "now" and timers come from, passed in so tests can move time (vitest's fake timers fake both
 * `Date` and `setTimeout`, so `systemClock` itself is what tests use, under fake timers).
 */

export interface Clock {
  now(): Date;
  /** Calls `fn` after `ms`; returns a function that cancels it. Timers never keep the process alive. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** setTimeout's limit; a longer wait is cut into steps. */
const maxTimerMs = 2_147_483_647;

export const systemClock: Clock = {
  now: () => new Date(),
  setTimer(ms, fn) {
    let cancelled = false;
    let handle: NodeJS.Timeout;
    const arm = (left: number) => {
      handle = setTimeout(
        () => {
          if (cancelled) return;
          if (left > maxTimerMs) arm(left - maxTimerMs);
          else fn();
        },
        Math.max(0, Math.min(left, maxTimerMs)),
      );
      handle.unref();
    };
    arm(ms);
    return () => {
      cancelled = true;
      clearTimeout(handle);
    };
  },
};
