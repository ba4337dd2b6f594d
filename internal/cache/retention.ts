/**
 * Retention: rows older than the cutoff go, and the space they held goes back to the file system. Deleting alone
 * would not shrink the file (flowlord set auto_vacuum but never ran incremental_vacuum, so its file only grew):
 * `incremental_vacuum` frees the pages and a truncating checkpoint moves that into the main file and empties the WAL.
 */
import type { Database } from "better-sqlite3";
import { dayOf, dayRange } from "./time.ts";
import type { RecycleCounts } from "./types.ts";

export const noneRecycled: RecycleCounts = {
  tasks: 0,
  files: 0,
  alerts: 0,
  rejected: 0,
  actions: 0,
  days: 0,
};

/** Deletes what is older than `cutoff` (a stored time) and gives the space back. */
export function recycleBefore(db: Database, cutoff: string): RecycleCounts {
  const day = dayOf(cutoff);
  const remove = (statement: string, value: string) => db.prepare(statement).run(value).changes;
  const counts = db.transaction(() => {
    const removed: RecycleCounts = {
      tasks: remove("DELETE FROM tasks WHERE created < ?", cutoff),
      files: remove("DELETE FROM files WHERE received < ?", cutoff),
      alerts: remove("DELETE FROM alerts WHERE created < ?", cutoff),
      rejected: remove("DELETE FROM rejected WHERE received < ?", cutoff),
      actions: remove("DELETE FROM actions WHERE at < ?", cutoff),
      days: remove("DELETE FROM days WHERE date < ?", day),
    };
    refreshDay(db, day);
    return removed;
  })();
  db.pragma("incremental_vacuum");
  db.pragma("wal_checkpoint(TRUNCATE)");
  return counts;
}

/** The cutoff's own day lost part of its rows: its flags say whether any are left. */
function refreshDay(db: Database, day: string): void {
  const [start, next] = dayRange(day);
  db.prepare(
    `UPDATE days SET
       tasks = EXISTS (SELECT 1 FROM tasks WHERE created >= @start AND created < @next),
       files = EXISTS (SELECT 1 FROM files WHERE received >= @start AND received < @next),
       alerts = EXISTS (SELECT 1 FROM alerts WHERE created >= @start AND created < @next)
     WHERE date = @day`,
  ).run({ day, start, next });
  db.prepare("DELETE FROM days WHERE date = ? AND tasks = 0 AND files = 0 AND alerts = 0").run(day);
}
