/**
 * A worker: takes tasks from its topic's queue group, runs at most `concurrency` handlers at once, and reports every
 * run to the done stream, the way a pcelvng launcher does for Go workers.
 *
 * Tasks arrive on a core subscription with a callback (twice as fast as an iterator, facts.md); those beyond the free
 * slots wait in memory in arrival order. A slot is held until the done message is acked, so a worker that cannot
 * report stops starting new work.
 */
import { jetstream } from "@nats-io/jetstream";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { systemClock } from "../clock/index.ts";
import { formatDuration } from "../rule/index.ts";
import { parseTask, Result, type Task } from "../task/index.ts";
import { checkOutcome, errorOutcome, finishTask, startTask } from "./finish.ts";
import { publishDone } from "./publish.ts";
import { TaskQueue } from "./queue.ts";
import type { Outcome, Worker, WorkerEvent, WorkerOptions } from "./types.ts";

const defaultGraceMs = 10_000;
const defaultPublishTimeoutMs = 5_000;

/** Subscribes at once; the worker runs until `stop()`. */
export function startWorker(nc: NatsConnection, options: WorkerOptions): Worker {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  const graceMs = options.graceMs ?? defaultGraceMs;
  const clock = options.clock ?? systemClock;
  const emit = (event: WorkerEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's bug must not lose a task or its done message.
    }
  };
  const js = jetstream(nc);
  const timeout = options.publishTimeoutMs ?? defaultPublishTimeoutMs;
  const waiting = new TaskQueue();
  const slots = new Set<Promise<void>>();
  const aborts = new Set<AbortController>();
  const stopping = new AbortController();
  let stoppedAt: number | undefined;
  let stopped: Promise<void> | undefined;

  const publishDeps = {
    subject: options.doneSubject ?? "done",
    send: (subject: string, data: string, msgID: string) => js.publish(subject, data, { msgID, timeout }),
    isClosed: () => nc.isClosed(),
    clock,
    emit,
    stoppedAt: () => stoppedAt,
    stopping: stopping.signal,
    graceMs,
  };

  const runSlot = async (received: Task): Promise<void> => {
    const abort = new AbortController();
    aborts.add(abort);
    try {
      const task = startTask(received, clock.now());
      emit({ type: "started", task });
      const outcome = await runHandler(task, abort.signal);
      const finished = finishTask(task, outcome, clock.now());
      emit({ type: "finished", task: finished });
      await publishDone(finished, publishDeps);
    } finally {
      aborts.delete(abort);
    }
  };

  /** The handler's outcome; a throw is an error, and a handler that ignores its abort is given up after the grace. */
  const runHandler = async (task: Task, signal: AbortSignal): Promise<Outcome> => {
    const run = Promise.resolve()
      .then(() => options.handler(task, signal))
      .then(checkOutcome, errorOutcome);
    let cancel = () => {};
    const givenUp = new Promise<Outcome>((resolve) => {
      const onAbort = () => {
        cancel = clock.setTimer(graceMs, () => {
          const waited = clock.now().getTime() - (stoppedAt ?? 0);
          resolve({
            result: Result.error,
            msg: `worker forced to close; waited '${formatDuration(waited)}'`,
          });
        });
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([run, givenUp]);
    } finally {
      cancel();
    }
  };

  const fill = () => {
    while (stoppedAt === undefined && slots.size < concurrency) {
      const next = waiting.shift();
      if (next === undefined) return;
      const slot: Promise<void> = runSlot(next.task).finally(() => {
        slots.delete(slot);
        fill();
      });
      slots.add(slot);
    }
  };

  const onMessage = (err: Error | null, msg: Msg) => {
    if (err) {
      emit({ type: "error", error: err });
      return;
    }
    let task: Task;
    try {
      task = parseTask(msg.data);
    } catch (parseError) {
      emit({
        type: "rejected",
        reason: parseError instanceof Error ? parseError.message : String(parseError),
      });
      return;
    }
    waiting.push({ task, data: msg.data });
    fill();
  };

  const subscription: Subscription = nc.subscribe(options.topic, {
    queue: options.queue ?? `taskmaster-workers-${options.topic}`,
    callback: onMessage,
  });

  const stop = async (): Promise<void> => {
    stoppedAt = clock.now().getTime();
    stopping.abort();
    try {
      subscription.unsubscribe();
    } catch (err) {
      emit({ type: "error", error: err instanceof Error ? err : new Error(String(err)) });
    }
    requeueWaiting();
    const cancelAbort = clock.setTimer(graceMs, () => {
      for (const abort of aborts) abort.abort(new Error("worker stopped"));
    });
    // Slots that start no new work end by themselves: handlers return, publishes ack or give up.
    while (slots.size > 0) await Promise.allSettled([...slots]);
    cancelAbort();
  };

  /**
   * Tasks that never got a slot go back to the topic for another worker of the group, rather than vanish with this
   * process. After our unsubscribe the server cannot route them back to us. A core publish: if the connection is
   * down they are lost, as they would be anyway.
   */
  const requeueWaiting = () => {
    for (let next = waiting.shift(); next !== undefined; next = waiting.shift()) {
      try {
        nc.publish(options.topic, next.data);
        emit({ type: "requeued", task: next.task });
      } catch (err) {
        emit({ type: "error", error: err instanceof Error ? err : new Error(String(err)) });
      }
    }
  };

  return {
    stop() {
      stopped ??= stop();
      return stopped;
    },
    get running() {
      return slots.size;
    },
  };
}
