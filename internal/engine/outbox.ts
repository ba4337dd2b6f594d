/**
 * From planned emissions to stored messages: the subject, the bytes, the Nats-Msg-Id and the headers that say what
 * the planner knew (`taskHeaders`), all sent at once (pipelined) and awaited together, so what caused them is acknowledged only after every one is stored. A plan with a message
 * over the server's payload limit is refused whole before anything of it is published: never half-published.
 */
import {
  type MessageHeaders,
  messageBytes,
  messageHeaderBytes,
  msgIdOf,
  type PubAck,
  PublishRefusedError,
} from "../bus/index.ts";
import type { TaskHeader } from "../journal/index.ts";
import { type Emission, EmissionKind } from "../plan/index.ts";
import { taskJson, taskName } from "../task/index.ts";
import type { EngineEvents } from "./events.ts";

/** Where messages are published; the bus's Publisher is one. */
export interface Outbox {
  publish(subject: string, data: Uint8Array, msgId: string, headers?: MessageHeaders): Promise<PubAck>;
  /** Publishes awaiting their acks, when the outbox knows. */
  readonly inFlight?: number;
  /** The most bytes of data one message may have (the server's max_payload), when the outbox knows. */
  readonly maxPayload?: number;
}

/** A message of a plan that NATS would not take: too large. Checked before anything of the plan is published. */
export class MessageTooLargeError extends Error {
  override readonly name = "MessageTooLargeError";
}

/** A failure that sending the same message again cannot mend: its cause is terminated, not redelivered. */
export function isRefusedForGood(err: unknown): boolean {
  return err instanceof MessageTooLargeError || err instanceof PublishRefusedError;
}

/**
 * Throws when `data` (with `headers`) is over the outbox's payload limit; `what` names the message for the reason.
 */
export function checkSize(
  outbox: Outbox,
  data: Uint8Array,
  what: () => string,
  headers?: MessageHeaders,
): void {
  const limit = outbox.maxPayload;
  if (limit === undefined) return;
  const bytes = headers === undefined ? data.length : data.length + messageHeaderBytes(headers);
  if (bytes <= limit) return;
  throw new MessageTooLargeError(
    `${what()} would be ${bytes} bytes, over the ${limit} bytes NATS takes (max_payload); nothing of it was published`,
  );
}

/**
 * The headers a task is published with (`TaskHeader`): its kind, and its workflow and phase when it has one. The
 * names are written out rather than computed: a literal with fixed keys is the cheapest object V8 makes, and this
 * runs for every task.
 */
export function taskHeaders(emission: Emission): MessageHeaders {
  const phase = emission.phase;
  if (phase === undefined) return { "Taskmaster-Kind": emission.kind } satisfies TaskHeaders;
  return {
    "Taskmaster-Kind": emission.kind,
    "Taskmaster-Workflow": phase.workflow,
    "Taskmaster-Phase": phase.phase,
  } satisfies TaskHeaders;
}

/** Only the names of `TaskHeader`, so the literals above cannot drift from them. */
type TaskHeaders = Partial<Record<(typeof TaskHeader)[keyof typeof TaskHeader], string>>;

/** `the retry of extract (id 1234)`: which message of a plan, for a reason. */
export function describeEmission(emission: Emission, what: string = emission.kind): string {
  const id = emission.task.id ?? "";
  const shown = id.length > 80 ? `${id.slice(0, 77)}...` : id;
  return `the ${what} of ${taskName(emission.task)}${shown ? ` (id ${shown})` : ""}`;
}

export interface Subjects {
  /** Put before every task subject (`tasks.`), or "". */
  readonly taskPrefix: string;
  /** Exhausted retries; "" when disabled. */
  readonly failed: string;
  /** Where waiting retries are kept until they are due. */
  readonly retry: string;
}

export function subjectOf(emission: Emission, subjects: Subjects): string {
  return emission.kind === EmissionKind.failed ? subjects.failed : `${subjects.taskPrefix}${emission.topic}`;
}

/** A message ready to publish, its size checked. */
export interface Outgoing {
  readonly emission: Emission;
  readonly subject: string;
  readonly msgId: string;
  /** The message as published. */
  readonly data: Uint8Array;
  readonly headers: MessageHeaders;
}

export interface Sent extends Outgoing {
  readonly ack: PubAck;
}

/** The message of one emission; throws `MessageTooLargeError` when NATS would not take it. */
export function outgoing(outbox: Outbox, emission: Emission, subjects: Subjects): Outgoing {
  const data = messageBytes(taskJson(emission.task));
  const headers = taskHeaders(emission);
  checkSize(outbox, data, () => describeEmission(emission), headers);
  return {
    emission,
    subject: subjectOf(emission, subjects),
    msgId: msgIdOf(emission.dedupeKey),
    data,
    headers,
  };
}

/**
 * Publishes every emission now (ignoring their delays: the caller handles waiting ones) and waits for all acks.
 * Every message is made and its size checked before the first is published.
 */
export function sendAll(
  outbox: Outbox,
  emissions: readonly Emission[],
  subjects: Subjects,
  events: EngineEvents,
): Promise<Sent[]> {
  try {
    return publishAll(
      outbox,
      emissions.map((e) => outgoing(outbox, e, subjects)),
      events,
    );
  } catch (err) {
    // As an async function would: a failure is a rejection, never a throw at the caller.
    return Promise.reject(err);
  }
}

/**
 * Publishes messages made (and checked) by `outgoing` and waits for all acks. Chained with `then`, not written as
 * an async function: this runs for every done message, and each `await` is another promise and another turn of the
 * microtask queue between the ack and what it releases.
 */
export function publishAll(
  outbox: Outbox,
  messages: readonly Outgoing[],
  events: EngineEvents,
): Promise<Sent[]> {
  const send = (m: Outgoing): Promise<Sent> =>
    outbox.publish(m.subject, m.data, m.msgId, m.headers).then((ack) => ({
      emission: m.emission,
      subject: m.subject,
      msgId: m.msgId,
      ack,
      data: m.data,
      headers: m.headers,
    }));
  const report = (sent: Sent[]): Sent[] => {
    if (events.wants("taskPublished")) {
      for (const s of sent) {
        events.emit({
          type: "taskPublished",
          emission: s.emission,
          subject: s.subject,
          msgId: s.msgId,
          seq: s.ack.seq,
          duplicate: s.ack.duplicate,
        });
      }
    }
    for (const s of sent) {
      if (s.emission.kind === EmissionKind.failed && !s.ack.duplicate)
        events.emit({ type: "taskFailed", task: s.emission.task });
    }
    return sent;
  };
  try {
    // Most done messages cause one task: no Promise.all for it.
    const [only] = messages;
    if (messages.length === 1 && only) return send(only).then((s) => report([s]));
    return Promise.all(messages.map(send)).then(report);
  } catch (err) {
    return Promise.reject(err);
  }
}
