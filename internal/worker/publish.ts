/**
 * Publishing a finished task to the done stream until the stream has it.
 *
 * A core publish made during an outage is dropped without an error (facts.md), and the done message is the only
 * thing the taskmaster ever hears about a run, so it goes through JetStream: the ack says it is stored, a failure
 * (timeout, no stream on the subject yet, disconnected) is retried with a capped backoff, and the message id makes
 * an attempt whose ack was lost count once.
 */
import { doublingDelayMs } from "../backoff/index.ts";
import type { Clock } from "../clock/index.ts";
import { type Task, taskJson } from "../task/index.ts";
import { doneMsgId } from "./finish.ts";
import type { WorkerEvent } from "./types.ts";

/** Sends one message and resolves with the stream's ack. */
export type SendDone = (subject: string, data: string, msgID: string) => Promise<{ duplicate: boolean }>;

export interface DonePublisherDeps {
  readonly subject: string;
  readonly send: SendDone;
  /** A closed connection will never deliver; retrying it only delays the report. */
  readonly isClosed: () => boolean;
  readonly clock: Clock;
  readonly emit: (event: WorkerEvent) => void;
  /** When the worker was asked to stop (ms since the epoch), or undefined while it runs. */
  readonly stoppedAt: () => number | undefined;
  /** Aborts when the worker stops, to cut a long backoff short and apply the grace period at once. */
  readonly stopping: AbortSignal;
  readonly graceMs: number;
}

const firstBackoffMs = 100;
const maxBackoffMs = 5_000;

/**
 * The wait before attempt `attempt + 1`: doubling from 100 ms to 5 s, with equal jitter, since the workers of one
 * outage fail together and must not all try again at the same moment.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  return doublingDelayMs(attempt, firstBackoffMs, maxBackoffMs, { jitter: "equal", random });
}

/**
 * Publishes until acked. While the worker runs it never gives up; once it stops, it keeps trying for the grace
 * period, counted from the stop or from its own first attempt, whichever is later (so a handler aborted at the end
 * of the grace period still gets a full period to report). Resolves in every case; the events tell what happened.
 */
export async function publishDone(task: Task, deps: DonePublisherDeps): Promise<boolean> {
  const data = taskJson(task);
  const msgID = doneMsgId(task);
  const firstAt = deps.clock.now().getTime();
  const remaining = (): number => {
    const stoppedAt = deps.stoppedAt();
    if (stoppedAt === undefined) return Number.POSITIVE_INFINITY;
    return Math.max(stoppedAt, firstAt) + deps.graceMs - deps.clock.now().getTime();
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const ack = await deps.send(deps.subject, data, msgID);
      deps.emit({ type: "published", task, attempts: attempt, duplicate: ack.duplicate });
      return true;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      deps.emit({ type: "publishFailed", task, error, attempt });
      if (deps.isClosed() || remaining() <= 0) {
        deps.emit({ type: "publishAbandoned", task, error, attempts: attempt });
        return false;
      }
      await sleep(deps.clock, Math.min(backoffMs(attempt), remaining()), deps.stopping);
    }
  }
}

/** Resolves after `ms`, or as soon as `wake` aborts if it has not yet. */
function sleep(clock: Clock, ms: number, wake: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (wake.aborted) {
      clock.setTimer(ms, resolve);
      return;
    }
    const done = () => {
      cancel();
      wake.removeEventListener("abort", done);
      resolve();
    };
    const cancel = clock.setTimer(ms, done);
    wake.addEventListener("abort", done, { once: true });
  });
}
