/**
 * The JetStream streams and durable consumers taskmaster works through, created at startup or brought up to date
 * without clobbering what an operator set: an existing stream only gets the subjects it lacks added; an existing
 * consumer is left as it is.
 */
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";

export interface StreamLimits {
  readonly maxAgeMs: number;
  /** -1 for no limit. */
  readonly maxBytes: number;
  readonly duplicateWindowMs: number;
  readonly replicas: number;
}

export interface StreamSpec {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly description: string;
}

export type StreamOutcome = "created" | "updated" | "unchanged";

/** A stream as NATS reports it, with the durable consumers taskmaster reads it with (the about page, metrics). */
export interface StreamState {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly messages: number;
  readonly bytes: number;
  /** What waits for each consumer, what it holds unacked, and how much was delivered again. */
  readonly consumers: readonly {
    readonly name: string;
    readonly pending: number;
    readonly ackPending: number;
    readonly redelivered: number;
  }[];
  /** Why the stream could not be read ("" when it could). */
  readonly problem: string;
}

/** JetStream's "stream not found" API error code. */
const streamNotFound = 10059;
const consumerNotFound = 10014;

export async function ensureStream(
  jsm: JetStreamManager,
  spec: StreamSpec,
  limits: StreamLimits,
): Promise<StreamOutcome> {
  const info = await jsm.streams.info(spec.name).catch((err: unknown) => {
    if (err instanceof JetStreamApiError && err.code === streamNotFound) return null;
    throw err;
  });
  if (!info) {
    await jsm.streams.add({
      name: spec.name,
      description: spec.description,
      subjects: [...spec.subjects],
      retention: RetentionPolicy.Limits,
      // Refuse new messages when full rather than silently evicting stored ones.
      discard: DiscardPolicy.New,
      storage: StorageType.File,
      max_age: nanos(limits.maxAgeMs),
      max_bytes: limits.maxBytes,
      duplicate_window: nanos(limits.duplicateWindowMs),
      num_replicas: limits.replicas,
    });
    return "created";
  }
  const have = new Set(info.config.subjects ?? []);
  const missing = spec.subjects.filter((s) => !have.has(s));
  if (missing.length === 0) return "unchanged";
  await jsm.streams.update(spec.name, { ...info.config, subjects: [...have, ...missing] });
  return "updated";
}

export interface ConsumerSpec {
  readonly stream: string;
  readonly durable: string;
  /** "" for every subject of the stream. */
  readonly filterSubject: string;
  readonly ackWaitMs: number;
  /** How many delivered, unacknowledged messages at once; -1 for no limit. */
  readonly maxAckPending: number;
}

export async function ensureConsumer(jsm: JetStreamManager, spec: ConsumerSpec): Promise<StreamOutcome> {
  const existing = await jsm.consumers.info(spec.stream, spec.durable).catch((err: unknown) => {
    if (err instanceof JetStreamApiError && err.code === consumerNotFound) return null;
    throw err;
  });
  // What an existing consumer has is an operator's to change (`nats consumer edit`).
  if (existing) return "unchanged";
  await jsm.consumers.add(spec.stream, {
    durable_name: spec.durable,
    ...(spec.filterSubject ? { filter_subject: spec.filterSubject } : {}),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(spec.ackWaitMs),
    max_ack_pending: spec.maxAckPending,
    max_deliver: -1,
  });
  return "created";
}
