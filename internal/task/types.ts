/**
 * The task message: pcelvng/task JSON, the format every worker speaks.
 */

export const Result = { complete: "complete", error: "error", alert: "alert", warn: "warn" } as const;
export type Result = (typeof Result)[keyof typeof Result];

/** A task as it travels on the bus. Optional fields are omitted from JSON when empty (Go's `omitempty`). */
export interface Task {
  /** The worker kind and the subject the task is sent to. */
  readonly type: string;
  readonly job?: string;
  /** Worker instructions, usually a URI or query string (`?date=2020-01-01`). Always present, may be "". */
  readonly info: string;
  /** RFC 3339, UTC, second precision. */
  readonly created?: string;
  /** UUID v4; children and retries keep their parent's id. */
  readonly id?: string;
  /** A query string (`k=v&k2=v2`), keys sorted. */
  readonly meta?: string;
  readonly result?: Result;
  readonly msg?: string;
  readonly started?: string;
  readonly ended?: string;
}
