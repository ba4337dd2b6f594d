/**
 * The clock: where "now" and timers come from, passed in so tests can move time instead of waiting for it. A test of
 * pure scheduling may run `systemClock` under vitest's fake timers (they fake both `Date` and `setTimeout`); a test
 * whose part also does real I/O gives it a `manualClock`, so that only the part's time is moved.
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

/**
 * Calls `fn` every `ms`, the first time `ms` from now, as `setInterval` does; returns a function that stops it. The
 * next call is armed before `fn` runs, so one that throws does not end the series.
 */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let stopped = false;
  let cancel = () => {};
  const tick = () => {
    if (stopped) return;
    cancel = clock.setTimer(ms, tick);
    fn();
  };
  cancel = clock.setTimer(ms, tick);
  return () => {
    stopped = true;
    cancel();
  };
}
