/**
 * A clock that moves only when told to: for tests of parts that also do real I/O (files, watchers, a database),
 * where faking the global timers would also stop the test's own waits and the I/O's pacing. Time stands still
 * until `advance`, which fires the timers that fall due, each at its own due time.
 */
import type { Clock } from "./clock.ts";

export interface ManualClock extends Clock {
  /**
   * Moves time on by `ms`, firing every timer that falls due on the way, soonest first (on a tie, the one armed
   * first), with `now()` standing at its due time. After each one the event loop turns once, so that a timer armed
   * by the promises a fired one started also fires when it falls due within `ms`. I/O those promises wait for may
   * take longer than one turn: wait for its result, then advance again.
   */
  advance(ms: number): Promise<void>;
  /** The due times (epoch ms) of the timers armed and neither fired nor cancelled, soonest first. */
  due(): number[];
}

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly fn: () => void;
}

/** More timers than this due at one instant: something re-arms itself without letting time pass. */
const maxFiredAtOnce = 1_000;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock standing at `start` (now, by default) until advanced. */
export function manualClock(start: Date | number = Date.now()): ManualClock {
  // Whole milliseconds, as a `Date` holds them.
  let now = Math.floor(typeof start === "number" ? start : start.getTime());
  let armed = 0;
  const timers = new Set<Timer>();

  const soonest = (upTo: number): Timer | undefined => {
    let next: Timer | undefined;
    for (const timer of timers) {
      if (timer.at > upTo) continue;
      if (next === undefined || timer.at < next.at || (timer.at === next.at && timer.order < next.order))
        next = timer;
    }
    return next;
  };

  return {
    now: () => new Date(now),
    setTimer(ms, fn) {
      armed += 1;
      const timer: Timer = { at: now + Math.max(0, Number.isFinite(ms) ? ms : 0), order: armed, fn };
      timers.add(timer);
      return () => {
        timers.delete(timer);
      };
    },
    async advance(ms) {
      const until = now + Math.max(0, ms);
      let atOnce = 0;
      for (;;) {
        const next = soonest(until);
        if (next === undefined) break;
        atOnce = next.at === now ? atOnce + 1 : 1;
        if (atOnce > maxFiredAtOnce)
          throw new Error(`more than ${maxFiredAtOnce} timers fell due at one instant: one keeps re-arming`);
        timers.delete(next);
        now = next.at;
        next.fn();
        await turn();
      }
      now = until;
    },
    due: () => [...timers].map((timer) => timer.at).sort((a, b) => a - b),
  };
}
