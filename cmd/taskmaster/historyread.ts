/**
 * The dashboard's read side on the history: the `History` queries run on the follower's connection, asked for at
 * each read (never a handle kept), and a 503 that says why when there is nothing to read: starting, rebuilding (how
 * far), degraded (why). A read that finds the file corrupt is a 503 too, and the follower is asked to reopen the
 * file, which checks it and moves a corrupt one aside before it rebuilds.
 */
import type { Database } from "better-sqlite3";
import { type History, HistoryUnavailable } from "../../handler/index.ts";
import { type HistoryFollower, type HistoryState, readsThrough } from "../../internal/cache/index.ts";

/** Why the history cannot be read in this state; "" when it can (open and following). */
export function unavailableReason(state: HistoryState, open: boolean): string {
  switch (state.mode) {
    case "starting":
      return `the history is starting: opening ${state.path}`;
    case "rebuilding": {
      const progress = state.rebuild
        ? `${state.rebuild.done} of ${state.rebuild.total} messages`
        : "counting the messages";
      return `the history is rebuilding from the streams: ${progress}${state.reason ? ` (${state.reason})` : ""}`;
    }
    case "degraded":
      return `the history cannot be written: ${state.reason || "unknown reason"}; retrying`;
    case "stopped":
      return "the history is stopped";
    case "ok":
      return open ? "" : "the history is not open yet";
  }
}

export type HistoryReader = Pick<HistoryFollower, "database" | "state" | "reopen">;

export function followerHistory(follower: HistoryReader, reportCorrupt: (error: Error) => void): History {
  let reopening = false;
  const read = <T>(query: (db: Database) => T): T => {
    const db = follower.database();
    const why = unavailableReason(follower.state(), db !== null);
    if (why || !db) throw new HistoryUnavailable(why);
    try {
      return query(db);
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? "");
      if (!/^SQLITE_(CORRUPT|NOTADB)/.test(code)) throw err;
      reportCorrupt(err as Error);
      if (!reopening) {
        reopening = true;
        void follower
          .reopen()
          .catch(() => undefined) // the follower reports its own failures
          .finally(() => {
            reopening = false;
          });
      }
      throw new HistoryUnavailable(
        `the history file is corrupt (${code}: ${(err as Error).message}); it is being moved aside and rebuilt, try again in a moment`,
      );
    }
  };
  return readsThrough(read);
}

/** A query on the history's file when it is open, `fallback` otherwise (the about page's parts). */
export function whenOpen<T>(
  follower: Pick<HistoryFollower, "database">,
  query: (db: Database) => T,
  fallback: T,
): T {
  const db = follower.database();
  return db ? query(db) : fallback;
}
