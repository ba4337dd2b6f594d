/**
 * What a run of failed backups means, apart from any timer: how long to wait before the next try (doubling, up
 * to a cap), and which events to report. The alert (`backupFailing`) comes once per run of failures, after the
 * third in a row, and `backupRecovered` closes it, so a flapping target does not page someone on every retry.
 */
import { doublingDelayMs } from "../backoff/index.ts";
import type { BackupEvent, BackupResult } from "./types.ts";

/** After this many failures in a row, `backupFailing` is reported (once, until a backup succeeds). */
export const failingAfter = 3;

export interface FailureStreak {
  /** A failure at `at`; `retrying` false when no retry will follow (the backups are stopping). */
  failed(error: Error, at: Date, retrying: boolean): { events: BackupEvent[]; retryInMs: number | null };
  succeeded(result: BackupResult): BackupEvent[];
}

export function failureStreak(retry: { readonly firstMs: number; readonly maxMs: number }): FailureStreak {
  let failures = 0;
  let since: Date | undefined;
  let alerted = false;
  return {
    failed(error, at, retrying) {
      failures += 1;
      since ??= at;
      const retryInMs = retrying ? doublingDelayMs(failures, retry.firstMs, retry.maxMs) : null;
      const events: BackupEvent[] = [
        { type: "backupFailed", error, attempt: failures, willRetryInMs: retryInMs },
      ];
      if (failures >= failingAfter && !alerted) {
        alerted = true;
        events.push({ type: "backupFailing", since, attempts: failures, error });
      }
      return { events, retryInMs };
    },
    succeeded({ name, bytes, ms, removed, pruneError }) {
      const events: BackupEvent[] = [
        {
          type: "backupTaken",
          name,
          bytes,
          ms,
          removed,
          ...(pruneError === undefined ? {} : { pruneError }),
        },
      ];
      if (alerted) events.push({ type: "backupRecovered" });
      failures = 0;
      since = undefined;
      alerted = false;
      return events;
    },
  };
}
