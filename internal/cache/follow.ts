/**
 * The history as a projection of the streams: the contract between the history's composition root and the follower
 * that builds it. The follower reads the tasks, failed, done, events (journal) and audit streams with consumers of its own
 * and writes each batch of rows in one SQLite transaction together with the stream positions the batch covers, so a
 * crash at any moment resumes from the stored positions with nothing lost and nothing doubled. A missing or corrupt
 * file is moved aside and rebuilt by replay of whatever the streams hold.
 */

import type { NatsConnection } from "@nats-io/transport-node";
import type { Database } from "better-sqlite3";
import type { Clock } from "../clock/index.ts";
import type { AlertEntry, JournalEntry } from "../journal/index.ts";
import type { BeforeOpen } from "./open.ts";

/** The streams the history is a projection of. */
export interface FollowedStreams {
  readonly tasks: string;
  /** The copies of tasks that failed for good (`failed_topic`), as the tasks stream holds tasks. */
  readonly failed: string;
  readonly done: string;
  /** The journal (`TASKMASTER_EVENTS`). */
  readonly events: string;
  /** People's actions (`TASKMASTER_AUDIT`). */
  readonly audit: string;
}

export interface FollowOptions {
  readonly nc: NatsConnection;
  /** The SQLite file. */
  readonly path: string;
  readonly streams: FollowedStreams;
  /** How long rows are kept; 0 or less keeps them forever. */
  readonly retentionMs: number;
  readonly clock?: Clock;
  /** Awaited whenever the path holds no usable database (missing, empty, moved aside): a backup may be put there. */
  readonly beforeOpen?: BeforeOpen;
  /** How long a degraded history waits before it tries again (default 5 s). */
  readonly retryMs?: number;
  /** Called for what an operator should see: a state change, a file moved aside, messages lost to a stream's age. */
  readonly onEvent?: (event: FollowEvent) => void;
}

/** ok: following; rebuilding: replaying what the streams hold into a new file; degraded: cannot write, retrying. */
export type HistoryMode = "starting" | "rebuilding" | "ok" | "degraded" | "stopped";

export interface HistoryState {
  readonly mode: HistoryMode;
  /** Why it is degraded or rebuilding, in words; "" when ok. */
  readonly reason: string;
  /** Since when it is in this mode (RFC 3339). */
  readonly since: string;
  readonly path: string;
  /** Where a corrupt file was moved, when one was. */
  readonly movedAside?: string;
  /** The last sequence projected, per stream name. */
  readonly positions: Readonly<Record<string, number>>;
  /** Messages the streams held, at the last look, that are not projected yet (the lag, in messages). */
  readonly behind: number;
  /** While rebuilding: how far (messages projected of those the streams held when it began). */
  readonly rebuild?: { readonly done: number; readonly total: number };
  /** Messages a stream dropped (its max age or size) before the history read them, since the file was made. */
  readonly lost: number;
  /** Rows written since this process started. */
  readonly written: number;
}

export type FollowEvent =
  | { readonly type: "state"; readonly state: HistoryState }
  | { readonly type: "movedAside"; readonly path: string; readonly aside: string; readonly reason: string }
  | { readonly type: "rebuilt"; readonly messages: number; readonly ms: number }
  | { readonly type: "lost"; readonly stream: string; readonly from: number; readonly to: number };

/** What one committed batch held: the hooks of the live feed and of the alerts. */
export interface ProjectedBatch {
  readonly tasks: number;
  readonly dones: number;
  /** Journal entries of the batch, in stream order (alerts among them). */
  readonly entries: readonly JournalEntry[];
  readonly alerts: readonly (AlertEntry & { readonly at: string })[];
  readonly actions: number;
  /** True while the batch is part of a replay older than this process (a rebuild or catch-up). */
  readonly replay: boolean;
}

export interface HistoryFollower {
  state(): HistoryState;
  /** The open connection, for the queries and for backups; null while there is none (degraded, not open yet). */
  database(): Database | null;
  /** Called after each committed batch; returns the unsubscribe. A listener's throw is its own. */
  onProjected(listener: (batch: ProjectedBatch) => void): () => void;
  /** Resolves once every message each stream held when it was called is projected. */
  caughtUp(): Promise<void>;
  /**
   * Stops following, closes the file, lets `replace` put another file at the path (a backup being restored), opens
   * it again and resumes from the positions that file holds.
   */
  reopen(replace?: (path: string) => Promise<void> | void): Promise<void>;
  /** Commits what is read, stops the consumers and closes the file. Idempotent. */
  stop(): Promise<void>;
}
