/**
 * The worker kit's vocabulary: what a handler returns, the options of a worker, and the events it reports.
 */
import type { Clock } from "../clock/index.ts";
import type { Task } from "../task/index.ts";

/** What a handler says about one task; `meta` is merged over the task's meta, as pcelvng's launcher does. */
export interface Outcome {
  readonly result: "complete" | "error" | "alert" | "warn";
  readonly msg?: string;
  readonly meta?: Readonly<Record<string, string>>;
}

/**
 * Does one task. `signal` aborts when the worker stops and the grace period is over: the handler should then return
 * soon (its outcome is still published). A handler that throws gives the result `error` with the error's message.
 */
export type Handler = (task: Task, signal: AbortSignal) => Promise<Outcome>;

export interface WorkerOptions {
  /** The full subject tasks arrive on. */
  readonly topic: string;
  /** Queue group shared by the workers of a topic, so each task goes to one of them; default `taskmaster-workers-<topic>`. */
  readonly queue?: string;
  /** Handlers running at once; default 1. Tasks beyond it wait in memory, first in first out. */
  readonly concurrency?: number;
  /** Subject of the done stream; default `done`. */
  readonly doneSubject?: string;
  readonly handler: Handler;
  readonly onEvent?: (event: WorkerEvent) => void;
  /**
   * After `stop()`, how long running handlers may go on before their signal aborts, how long an aborted handler may
   * take to return before it is given up, and how long a done publish keeps retrying; default 10 s.
   */
  readonly graceMs?: number;
  /** How long one done publish waits for the stream's ack before it counts as failed and is retried; default 5 s. */
  readonly publishTimeoutMs?: number;
  /** Where `started` and `ended` come from, and the timers of retries and grace; default the system clock. */
  readonly clock?: Clock;
}

export interface Worker {
  /**
   * Stops taking tasks, hands tasks still waiting back to the topic, lets running ones finish (aborting them after
   * the grace period) and publishes their done messages. Idempotent: every call returns the same promise.
   */
  stop(): Promise<void>;
  /** Tasks holding a slot: running their handler or publishing their done message. */
  readonly running: number;
}

export type WorkerEvent =
  /** The handler is about to run; `task.started` is set. */
  | { readonly type: "started"; readonly task: Task }
  /** The handler returned (or threw, or was given up); `task` holds ended, result, msg and the merged meta. */
  | { readonly type: "finished"; readonly task: Task }
  /** The done stream acknowledged the finished task; `duplicate` when an earlier attempt had already stored it. */
  | {
      readonly type: "published";
      readonly task: Task;
      readonly attempts: number;
      readonly duplicate: boolean;
    }
  /** One done publish attempt failed; it is retried. */
  | { readonly type: "publishFailed"; readonly task: Task; readonly error: Error; readonly attempt: number }
  /** The done message was given up: the worker stopped and the grace period ended, or the connection closed. */
  | {
      readonly type: "publishAbandoned";
      readonly task: Task;
      readonly error: Error;
      readonly attempts: number;
    }
  /** A message on the topic that is not a task; nothing is published for it. */
  | { readonly type: "rejected"; readonly reason: string }
  /** A task that was still waiting for a slot when the worker stopped, published back to the topic. */
  | { readonly type: "requeued"; readonly task: Task }
  /** The subscription or a requeue failed. */
  | { readonly type: "error"; readonly error: Error };
