/**
 * From planned emissions to stored messages: the subject, the bytes, the Nats-Msg-Id, all sent at once (pipelined)
 * and awaited together, so what caused them is acknowledged only after every one is stored.
 */
import { messageBytes, msgIdOf, type PubAck } from "../bus/index.ts";
import { type Emission, EmissionKind } from "../plan/index.ts";
import { taskJson } from "../task/index.ts";
import type { EngineEvents } from "./events.ts";

/** Where messages are published; the bus's Publisher is one. */
export interface Outbox {
  publish(subject: string, data: Uint8Array, msgId: string): Promise<PubAck>;
  /** Publishes awaiting their acks, when the outbox knows. */
  readonly inFlight?: number;
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

export interface Sent {
  readonly emission: Emission;
  readonly subject: string;
  readonly msgId: string;
  readonly ack: PubAck;
  /** The message as published. */
  readonly data: Uint8Array;
}

/**
 * Publishes every emission now (ignoring their delays: the caller handles waiting ones) and waits for all acks.
 * Chained with `then`, not written as an async function: this runs for every done message, and each `await` is
 * another promise and another turn of the microtask queue between the ack and what it releases.
 */
export function sendAll(
  outbox: Outbox,
  emissions: readonly Emission[],
  subjects: Subjects,
  events: EngineEvents,
): Promise<Sent[]> {
  const send = (emission: Emission): Promise<Sent> => {
    const subject = subjectOf(emission, subjects);
    const msgId = msgIdOf(emission.dedupeKey);
    const data = messageBytes(taskJson(emission.task));
    return outbox.publish(subject, data, msgId).then((ack) => ({ emission, subject, msgId, ack, data }));
  };
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
          data: s.data,
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
    const [only] = emissions;
    if (emissions.length === 1 && only) return send(only).then((s) => report([s]));
    return Promise.all(emissions.map(send)).then(report);
  } catch (err) {
    // As an async function would: a failure is a rejection, never a throw at the caller.
    return Promise.reject(err);
  }
}
