/**
 * Waiting retries, held by NATS rather than by a sleeping promise.
 *
 * A retry that must wait is published as a record (the task, its subject, its due time) to the retry stream, and
 * only then is the failed task's done message acked. A durable consumer of the retry stream delivers each record;
 * one that is not yet due is negatively acked with a delay of exactly the time left, so the server redelivers it
 * when it is due, whether or not taskmaster was restarted (or SIGKILLed) in between. A due record is published to
 * its task subject (with the retry's own Nats-Msg-Id, so a repeat is stored once) and then acked.
 */
import { type Inbound, messageBytes, msgIdOf } from "../bus/index.ts";
import type { Emission } from "../plan/index.ts";
import { type Task, taskJson } from "../task/index.ts";
import type { EngineEvents } from "./events.ts";
import { type Journal, rejectMessage } from "./journal.ts";
import { checkSize, describeEmission, type Outbox, type Subjects, subjectOf, taskHeaders } from "./outbox.ts";

/** What the retry stream holds for one waiting retry. */
export interface RetryRecord {
  readonly subject: string;
  readonly due: string;
  readonly emission: Emission;
}

/** The longest single wait asked of the server; a longer one is resumed in steps. */
const maxNakMs = 24 * 3_600_000;
const decoder = new TextDecoder();

/** A waiting retry's record, made and its size checked, ready to store. */
export interface HeldRetry {
  readonly emission: Emission;
  readonly dueAt: Date;
  readonly data: Uint8Array;
}

/**
 * The record of a retry due `delayMs` after the done message that caused it was stored. Throws
 * `MessageTooLargeError` when NATS would not take it (the task and its fields are over max_payload).
 */
export function retryRecord(
  outbox: Outbox,
  emission: Emission,
  arrived: Date,
  subjects: Subjects,
): HeldRetry {
  const dueAt = new Date(arrived.getTime() + emission.delayMs);
  const record: RetryRecord = { subject: subjectOf(emission, subjects), due: dueAt.toISOString(), emission };
  const data = messageBytes(JSON.stringify(record));
  checkSize(outbox, data, () => describeEmission(emission, "retry record"));
  return { emission, dueAt, data };
}

/** Stores a waiting retry's record. */
export async function holdRetry(
  outbox: Outbox,
  held: HeldRetry,
  subjects: Subjects,
  events: EngineEvents,
): Promise<void> {
  const { emission, dueAt } = held;
  const ack = await outbox.publish(subjects.retry, held.data, msgIdOf(`retry-record|${emission.dedupeKey}`));
  if (!ack.duplicate)
    events.emit({ type: "retryScheduled", task: emission.task, dueAt, delayMs: emission.delayMs });
}

/** Handles one delivery of a retry record: wait longer, or send the task now (with the headers of its kind). */
export async function releaseRetry(
  msg: Inbound,
  now: Date,
  outbox: Outbox,
  events: EngineEvents,
  journal?: Journal,
): Promise<void> {
  const record = readRecord(msg.data);
  if (typeof record === "string") return rejectMessage(msg, record, journal, events);
  const wait = Date.parse(record.due) - now.getTime();
  if (wait > 0) {
    msg.nak(Math.min(wait, maxNakMs));
    return;
  }
  const { emission, subject } = record;
  const data = messageBytes(taskJson(emission.task));
  const headers = taskHeaders(emission);
  checkSize(outbox, data, () => describeEmission(emission), headers);
  const msgId = msgIdOf(emission.dedupeKey);
  const ack = await outbox.publish(subject, data, msgId, headers);
  events.emit({
    type: "taskPublished",
    emission: { ...emission, delayMs: 0 },
    subject,
    msgId,
    seq: ack.seq,
    duplicate: ack.duplicate,
  });
  msg.ack();
}

function readRecord(data: Uint8Array): RetryRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return "retry record: not valid JSON";
  }
  const r = value as Partial<RetryRecord> | null;
  const e = r?.emission as Partial<Emission> | undefined;
  if (!r || typeof r.subject !== "string" || typeof r.due !== "string" || Number.isNaN(Date.parse(r.due))) {
    return "retry record: needs subject and due";
  }
  if (!e || typeof e.dedupeKey !== "string" || typeof (e.task as Task | undefined)?.type !== "string") {
    return "retry record: needs an emission with a task and a dedupe key";
  }
  return { subject: r.subject, due: r.due, emission: e as Emission };
}
