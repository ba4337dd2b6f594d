/**
 * What the planner returns: the tasks a trigger causes, where they go, after what wait, and the alerts it raises.
 */
import type { MetaRow } from "../rule/index.ts";
import type { Task } from "../task/index.ts";

/** Everything from outside the planner's inputs, passed in so that planning stays a pure function. */
export interface PlanContext {
  /** Now: the `created` time of every task. */
  readonly now: Date;
  /** For `{HOST}` and `{POD}`. */
  readonly host: string;
  /** A new UUID v4 (task ids and `{uuid}`). */
  readonly newId: () => string;
  /**
   * A number in [0, 1) for retry jitter, drawn for `seed` (the retry's dedupe key). The runtime draws it from the
   * seed, so a redelivered done message gets the same delay and the wait can be resumed after a restart.
   */
  readonly random: (seed: string) => number;
  /** Reads a meta-file's rows; throws with a message naming the file and line on failure. */
  readonly readMetaFile: (pattern: string) => readonly MetaRow[];
  /** Where exhausted retries go; "" or "-" sends none. */
  readonly failedTopic: string;
}

export const EmissionKind = {
  cron: "cron",
  batch: "batch",
  child: "child",
  retry: "retry",
  failed: "failed",
  file: "file",
  backload: "backload",
} as const;
export type EmissionKind = (typeof EmissionKind)[keyof typeof EmissionKind];

/** The phase a task belongs to. */
export interface PhaseRef {
  readonly workflow: string;
  /** `topic` or `topic:job`. */
  readonly phase: string;
}

export interface Emission {
  readonly kind: EmissionKind;
  /** The subject, before any configured prefix: the task's type, or the failed topic. */
  readonly topic: string;
  /** How long to wait before publishing: 0 except for retries. */
  readonly delayMs: number;
  readonly task: Task;
  readonly phase?: PhaseRef;
  /**
   * The same trigger always gives the same key (the slot, the parent task, the file, the attempt), so a repeated
   * publish after a crash or a redelivery is recognised as a duplicate.
   */
  readonly dedupeKey: string;
}

export const AlertKind = {
  /** A task failed and its retries are used up. */
  retriesExhausted: "retries-exhausted",
  /** A worker finished a task with result `alert`. */
  taskAlert: "task-alert",
  /** A batch could not be generated (a bad meta-file, too many tasks ...). */
  batchFailed: "batch-failed",
} as const;
export type AlertKind = (typeof AlertKind)[keyof typeof AlertKind];

export interface PlannedAlert {
  readonly kind: AlertKind;
  readonly task: Task;
  readonly message: string;
}

export interface Plan {
  /** In emission order. */
  readonly emissions: readonly Emission[];
  readonly alerts: readonly PlannedAlert[];
  /** Why something that might be expected did not happen (no children, a child not ready, no match ...). */
  readonly notes: readonly string[];
}

export const emptyPlan: Plan = { emissions: [], alerts: [], notes: [] };
