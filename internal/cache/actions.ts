/** Reading the audit trail: the newest actions first, for the about page and `/api/v1/actions`. */
import type { Database } from "better-sqlite3";
import type { ActionRow } from "./types.ts";

export function recentActions(db: Database, limit = 100): ActionRow[] {
  return db
    .prepare(
      "SELECT seq, action, actor, detail, outcome, tasks, at FROM actions ORDER BY at DESC, seq DESC LIMIT ?",
    )
    .all(limit) as ActionRow[];
}
