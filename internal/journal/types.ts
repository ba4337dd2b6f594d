/**
 * The journal: what the engine (and the history's own checks) record on the events stream, because no other stream
 * holds it. Tasks, done messages, retries, failures and people's actions have streams of their own; these facts are
 * the rest: alerts raised, what a file that arrived did, cron slots fired or skipped, messages refused, and the
 * workflow phases as loaded. The history is built from the streams alone, so anything a page shows is in one.
 */

/** The task an entry is about, as far as it is known ("" for what it does not carry). */
export interface TaskRef {
  readonly id: string;
  readonly type: string;
  readonly job: string;
  readonly info: string;
  readonly meta: string;
  /** The time the task's data is for (RFC 3339), or "". */
  readonly dataTime: string;
}

/** An alert: a task that failed for good, a task's `alert` result, a batch that could not be made, and the rest. */
export interface AlertEntry {
  readonly type: "alert";
  /** retries-exhausted, task-alert, batch-failed, incomplete, rejected-message ... */
  readonly kind: string;
  readonly task: TaskRef;
  readonly message: string;
}

/** A task a file caused. */
export interface FileTaskRef {
  readonly id: string;
  /** `type` or `type:job`. */
  readonly name: string;
  readonly subject: string;
  readonly workflow: string;
  readonly phase: string;
}

/** A file that arrived, and what came of it: the tasks it triggered, or why none. */
export interface FileEntry {
  readonly type: "file";
  readonly path: string;
  readonly size: number;
  /** RFC 3339, or "" when the producer gave no time. */
  readonly modified: string;
  readonly checksum: string;
  /** topic, watch or scan. */
  readonly source: string;
  /** stat, gcs or s3. */
  readonly format: string;
  /** triggered, unmatched or repeat. */
  readonly status: string;
  /** The time the path carries, or "". */
  readonly dataTime: string;
  readonly tasks: readonly FileTaskRef[];
  /** Why nothing was triggered; "" when something was. */
  readonly reason: string;
}

/** A cron slot of a phase fired: its tasks are stored. */
export interface CronEntry {
  readonly type: "cron";
  readonly workflow: string;
  readonly phase: string;
  /** The slot, RFC 3339. */
  readonly slot: string;
  readonly tasks: number;
}

/** Missed cron slots the phase's catch-up rule skipped. */
export interface SkippedEntry {
  readonly type: "skipped";
  readonly workflow: string;
  readonly phase: string;
  readonly skipped: number;
  /** The first and last slot skipped (RFC 3339), or "". */
  readonly first: string;
  readonly last: string;
}

/** A message that could not be used was terminated. `data` is its start. */
export interface RejectedEntry {
  readonly type: "rejected";
  readonly subject: string;
  readonly reason: string;
  readonly data: string;
}

/** One phase as loaded, with its validation status. */
export interface PhaseEntry {
  readonly workflow: string;
  readonly phase: string;
  readonly topic: string;
  readonly job: string;
  readonly dependsOn: string;
  readonly rule: string;
  readonly template: string;
  readonly retry: number;
  /** ok, warning or error. */
  readonly status: string;
  readonly problems: readonly string[];
}

/** A set of workflows was loaded (at start or by a reload): every phase of it. */
export interface ReloadEntry {
  readonly type: "reload";
  readonly workflows: number;
  readonly changed: readonly string[];
  readonly phases: readonly PhaseEntry[];
}

/** A reload was refused; the last good set stays in use. */
export interface ReloadRejectedEntry {
  readonly type: "reload-rejected";
  readonly problems: readonly string[];
}

export type JournalFact =
  | AlertEntry
  | FileEntry
  | CronEntry
  | SkippedEntry
  | RejectedEntry
  | ReloadEntry
  | ReloadRejectedEntry;

/** A fact as recorded: the version of the format and when it happened (RFC 3339 with milliseconds). */
export type JournalEntry = JournalFact & { readonly v: 1; readonly at: string };

export type JournalType = JournalFact["type"];

export const journalTypes: readonly JournalType[] = [
  "alert",
  "file",
  "cron",
  "skipped",
  "rejected",
  "reload",
  "reload-rejected",
];
