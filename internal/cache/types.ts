/**
 * The records the history keeps and the rows its queries return. Records are what the follower makes of stream
 * entries; times in them may be any RFC 3339 text (writing normalises them to UTC ISO with milliseconds), "" or null
 * for "not known".
 */

import { EmissionKind } from "../plan/index.ts";

/** Where a task came from: the planner's emission kinds, and one for a done whose task the cache never saw. */
export const TaskKind = {
  ...EmissionKind,
  /** A done whose task the cache never saw (the cache was lost, or someone else published it). */
  unknown: "unknown",
} as const;
export type TaskKind = (typeof TaskKind)[keyof typeof TaskKind];

/** What became of a file that arrived. */
export const FileStatus = {
  triggered: "triggered",
  unmatched: "unmatched",
  repeat: "repeat",
  rejected: "rejected",
} as const;
export type FileStatus = (typeof FileStatus)[keyof typeof FileStatus];

/** How a workflow phase loaded. */
export const PhaseStatus = { ok: "ok", warning: "warning", error: "error" } as const;
export type PhaseStatus = (typeof PhaseStatus)[keyof typeof PhaseStatus];

/** A time as given: RFC 3339 text, or "" / null when unknown. */
export type TimeText = string | null;

/** A task the service emitted. `key` is unique per emitted task (children share an id, retries too). */
export interface TaskRecord {
  readonly key: string;
  readonly id: string;
  readonly type: string;
  readonly job: string;
  readonly info: string;
  readonly meta: string;
  readonly kind: TaskKind;
  /** The NATS subject it was published on. */
  readonly subject: string;
  readonly workflow: string;
  readonly phase: string;
  readonly created: string;
  readonly published: TimeText;
  /** The time the data is for (the `cron` meta, a file's path time), when known. */
  readonly dataTime?: TimeText;
}

/** A finished task as it came back on the done subject. It finds its task by (id, type, job, info, created). */
export interface DoneRecord {
  readonly id: string;
  readonly type: string;
  readonly job: string;
  readonly info: string;
  readonly created: string;
  /** The meta the worker sent back (it may have merged its own keys in); it replaces the task's meta. */
  readonly meta: string;
  readonly result: string;
  readonly msg: string;
  readonly started: TimeText;
  readonly ended: TimeText;
  /** When the done message was received. */
  readonly done: TimeText;
}

export interface FileRecord {
  readonly path: string;
  readonly size: number;
  readonly modified: TimeText;
  readonly checksum: string;
  readonly source: string;
  readonly format: string;
  readonly status: FileStatus;
  readonly dataTime: TimeText;
  readonly taskIds: readonly string[];
  /** `type[:job]` of each task it triggered, in the order of `taskIds`. */
  readonly taskNames: readonly string[];
  /** Why nothing was triggered (unmatched, repeat, rejected); "" when something was. */
  readonly reason: string;
  readonly received: string;
}

export interface AlertRecord {
  /** What raised it: a failed task, an alert result, an incomplete task ... (free text). */
  readonly kind: string;
  readonly taskId: string;
  readonly taskType: string;
  readonly job: string;
  readonly info: string;
  readonly msg: string;
  readonly dataTime: TimeText;
  readonly created: string;
}

/** A message that could not be used. `data` is kept up to `maxRejectedData` characters. */
export interface RejectedRecord {
  readonly subject: string;
  readonly reason: string;
  readonly data: string;
  readonly received: string;
}

/**
 * A person's (or a script's) action through the dashboard or the API: who, what, when, and what came of it. The
 * audit trail: kept like the other rows (retention applies), and also stored on the audit stream.
 */
export interface ActionRecord {
  /** retry, rerun, backload, launch, reload. */
  readonly action: string;
  /** Who asked: the role, a fingerprint of the token, the address, and a name the caller gave (`X-Taskmaster-Actor`). */
  readonly actor: string;
  /** What was asked, as compact JSON text (the task key, the phase, the request). */
  readonly detail: string;
  /** "ok", or the error text. */
  readonly outcome: string;
  /** How many tasks it sent. */
  readonly tasks: number;
  readonly at: string;
}

/** One phase of a loaded workflow; every load replaces all of them. */
export interface PhaseRecord {
  readonly workflow: string;
  readonly phase: string;
  readonly topic: string;
  readonly job: string;
  readonly dependsOn: string;
  readonly rule: string;
  readonly template: string;
  readonly retry: number;
  readonly status: PhaseStatus;
  /** The problems found in it, as text (one line each). */
  readonly problems: readonly string[];
  readonly loaded: string;
}

/** One thing to write. A phase load is one op however many phases it holds: it replaces them all at once. */
export type CacheOp =
  | { readonly op: "task"; readonly record: TaskRecord }
  | { readonly op: "done"; readonly record: DoneRecord }
  | { readonly op: "file"; readonly record: FileRecord }
  | { readonly op: "alert"; readonly record: AlertRecord }
  | { readonly op: "rejected"; readonly record: RejectedRecord }
  | { readonly op: "action"; readonly record: ActionRecord }
  | { readonly op: "phases"; readonly records: readonly PhaseRecord[] };

/** Rows removed by one `recycle`. */
export interface RecycleCounts {
  readonly tasks: number;
  readonly files: number;
  readonly alerts: number;
  readonly rejected: number;
  readonly actions: number;
  readonly days: number;
}

/** A task as the queries return it, with its times in the queue and running. */
export interface TaskRow {
  readonly key: string;
  readonly id: string;
  readonly type: string;
  readonly job: string;
  readonly info: string;
  readonly meta: string;
  readonly kind: TaskKind;
  readonly subject: string;
  readonly workflow: string;
  readonly phase: string;
  readonly created: string;
  readonly published: string | null;
  readonly dataTime: string | null;
  /** "" while running. */
  readonly result: string;
  readonly msg: string;
  readonly started: string | null;
  readonly ended: string | null;
  readonly done: string | null;
  /** started − created, or null when either is missing. */
  readonly queueMs: number | null;
  /** ended − started, or null when either is missing. */
  readonly runMs: number | null;
}

export type FileRow = FileRecord & { readonly seq: number };
/** `resolved`: (on the day's list) the phase completed for the same data time after the alert. */
export type AlertRow = AlertRecord & { readonly seq: number; readonly resolved?: boolean };
export type RejectedRow = RejectedRecord & { readonly seq: number };
export type ActionRow = ActionRecord & { readonly seq: number };
