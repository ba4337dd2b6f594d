/**
 * Backups on a timer, in the background: one every `intervalMs`; a failed one is retried with a capped backoff
 * (never waiting longer than the interval, so a retry never comes later than the next backup would have). Every
 * outcome is an event; after three failures in a row one `backupFailing` says the backups are broken, and one
 * `backupRecovered` says when they work again, so an alert fires once rather than on every retry.
 * Nothing here throws into a timer, and only one backup runs at a time.
 */
import { type Clock, systemClock } from "../clock/index.ts";
import { asError, BackupError } from "./errors.ts";
import { failureStreak } from "./streak.ts";
import type { BackupEvent, BackupResult } from "./types.ts";

export interface BackupScheduleOptions {
  readonly intervalMs: number;
  /** Takes one backup; usually `() => takeBackup({ db, target, keep })`. */
  readonly run: () => Promise<BackupResult>;
  readonly onEvent: (event: BackupEvent) => void;
  /** The first retry's wait (default 1 s), doubled each failure up to `maxMs` (default 5 min) and the interval. */
  readonly retry?: { readonly firstMs?: number; readonly maxMs?: number };
  readonly clock?: Clock;
}

export interface BackupSchedule {
  /** Takes a backup now (after one in progress ends); rejects when it fails, which is also reported. */
  runNow(): Promise<BackupResult>;
  /** Stops the timer and waits for a backup in progress; `final` takes one more. Never throws; reports. */
  stop(options: { final: boolean }): Promise<void>;
}

/** Starts the timer and returns at once; the first backup is one interval away (call `runNow` for one sooner). */
export function startBackups(options: BackupScheduleOptions): BackupSchedule {
  const { intervalMs, run } = options;
  if (!(intervalMs > 0)) throw new BackupError(`the backup interval must be above 0 ms, not ${intervalMs}`);
  const clock = options.clock ?? systemClock;
  const streak = failureStreak({
    firstMs: options.retry?.firstMs ?? 1_000,
    maxMs: Math.min(options.retry?.maxMs ?? 300_000, intervalMs),
  });
  let stopped = false;
  let cancelTimer: (() => void) | undefined;
  /** The backup in progress (settled when none is); every run is chained after it. */
  let current: Promise<unknown> = Promise.resolve();

  const emit = (events: readonly BackupEvent[]) => {
    for (const event of events) {
      try {
        options.onEvent(event);
      } catch {
        // A listener's failure must not stop the backups.
      }
    }
  };

  const arm = (ms: number | null) => {
    cancelTimer?.();
    cancelTimer = undefined;
    if (ms === null || stopped) return;
    cancelTimer = clock.setTimer(ms, () => {
      cancelTimer = undefined;
      // Reported through events; nothing is left to reject into the timer.
      attempt().catch(() => undefined);
    });
  };

  /** One backup after the one in progress; the outcome is reported, then handed to the caller. */
  function attempt(): Promise<BackupResult> {
    const next = current.then(async () => {
      // A backup starts now, so the one the timer had planned is moot; the outcome arms the next.
      arm(null);
      try {
        const result = await run();
        emit(streak.succeeded(result));
        arm(intervalMs);
        return result;
      } catch (err) {
        const failure = streak.failed(asError(err), clock.now(), !stopped);
        emit(failure.events);
        arm(failure.retryInMs);
        throw err;
      }
    });
    current = next.catch(() => undefined);
    return next;
  }

  arm(intervalMs);
  let stopping: Promise<void> | undefined;
  return {
    runNow() {
      if (stopped) return Promise.reject(new BackupError("backups are stopped"));
      return attempt();
    },
    stop({ final }) {
      stopping ??= (async () => {
        stopped = true;
        arm(null);
        if (final) await attempt().catch(() => undefined);
        else await current;
      })();
      return stopping;
    },
  };
}
