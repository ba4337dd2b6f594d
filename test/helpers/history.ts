/**
 * The streams the history follows, made for a test (names and subjects of its own under a prefix, so tests of one
 * file share a server), and messages for them as the engine and the service publish them: tasks with their message
 * id and headers, done messages, journal entries and audit records. For the history's tests, its child-process
 * script and its bench.
 */
import { type JetStreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { Publisher } from "../../internal/bus/index.ts";
import type { FollowedStreams } from "../../internal/cache/index.ts";
import { encodeEntry, type JournalFact } from "../../internal/journal/index.ts";
import { type Task, taskJson } from "../../internal/task/index.ts";

export interface HistoryStreams {
  readonly streams: FollowedStreams;
  readonly subjects: {
    readonly tasks: string;
    readonly failed: string;
    readonly done: string;
    readonly events: string;
    readonly audit: string;
  };
}

/** The five streams under `prefix` (created when missing); `maxMsgs` limits each (-1: no limit). */
export async function historyStreams(
  jsm: JetStreamManager,
  prefix: string,
  maxMsgs = -1,
): Promise<HistoryStreams> {
  const p = prefix.toLowerCase();
  const streams = {
    tasks: `${prefix}_TASKS`,
    failed: `${prefix}_FAILED`,
    done: `${prefix}_DONE`,
    events: `${prefix}_EVENTS`,
    audit: `${prefix}_AUDIT`,
  };
  const subjects = {
    tasks: `${p}.tasks`,
    failed: `${p}.failed`,
    done: `${p}.done`,
    events: `${p}.events`,
    audit: `${p}.audit`,
  };
  for (const role of ["tasks", "failed", "done", "events", "audit"] as const) {
    await createStream(jsm, streams[role], `${subjects[role]}.>`, maxMsgs);
  }
  return { streams, subjects };
}

export async function createStream(
  jsm: JetStreamManager,
  name: string,
  subject: string,
  maxMsgs = -1,
): Promise<void> {
  await jsm.streams.add({
    name,
    subjects: [subject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_msgs: maxMsgs,
  });
}

const encoder = new TextEncoder();

/** The `i`-th task of a test: type "load", created in the first hour of 2024-01-15 (a second each). */
export function testTask(i: number, over: Partial<Task> = {}): Task {
  const created = new Date(Date.UTC(2024, 0, 15, 0, 0, i % 3600)).toISOString().replace(".000Z", "Z");
  return {
    type: "load",
    job: "eu",
    info: `?n=${i}`,
    id: `id-${i}`,
    created,
    meta: "cron=2024-01-15T00&job=eu&workflow=w.toml",
    ...over,
  };
}

/** Publishes the `i`-th task as the engine does: its message id `key-<i>` and, unless `plain`, its headers. */
export function publishTask(
  publisher: Publisher,
  h: HistoryStreams,
  i: number,
  plain = false,
  over: Partial<Task> = {},
) {
  const headers = plain
    ? undefined
    : { "Taskmaster-Kind": "cron", "Taskmaster-Workflow": "w.toml", "Taskmaster-Phase": "load:eu" };
  return publisher.publish(
    `${h.subjects.tasks}.load`,
    encoder.encode(taskJson(testTask(i, over))),
    `key-${i}`,
    headers,
  );
}

/** Publishes the done of the `i`-th task: complete, started 1 s and ended 2 s after it was created. */
export function publishDone(publisher: Publisher, h: HistoryStreams, i: number, over: Partial<Task> = {}) {
  const task = testTask(i, over);
  const created = Date.parse(task.created ?? "");
  const done: Task = {
    ...task,
    meta: `${task.meta}&worker=w1`,
    result: "complete",
    started: new Date(created + 1000).toISOString(),
    ended: new Date(created + 2000).toISOString(),
  };
  return publisher.publish(`${h.subjects.done}.w`, encoder.encode(taskJson(done)), `done-${i}`);
}

/** Publishes a journal entry recorded at `at`. */
export function publishEntry(
  publisher: Publisher,
  h: HistoryStreams,
  fact: JournalFact,
  at: Date,
  id: string,
) {
  return publisher.publish(`${h.subjects.events}.${fact.type}`, encodeEntry(fact, at), id);
}

/** Publishes an audit record as the service stores it. */
export function publishAction(publisher: Publisher, h: HistoryStreams, i: number, at: string) {
  const record = { action: "retry", actor: "admin", detail: `{"n":${i}}`, outcome: "ok", tasks: 1, at };
  return publisher.publish(`${h.subjects.audit}.x`, encoder.encode(JSON.stringify(record)), `action-${i}`);
}

/** Awaits promises `window` at a time: a pipelined burst without a million promises at once. */
export async function pipelined(
  n: number,
  send: (i: number) => Promise<unknown>,
  window = 2000,
): Promise<void> {
  for (let from = 0; from < n; from += window) {
    const batch: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(n, from + window); i++) batch.push(send(i));
    await Promise.all(batch);
  }
}
