/**
 * The history's fault tests (history-*.test.ts): a workflow that makes a steady burst of tasks (a batch of rows
 * every second, a child for each, a task for each file that arrives), fake workers that answer them (a tenth of the
 * children with an error, which is an alert), file messages from the test, and the checks that the history holds
 * exactly what the streams hold, counted both ways.
 */
import { existsSync } from "node:fs";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import BetterSqlite3 from "better-sqlite3";
import { expect } from "vitest";
import { auditStream } from "../../internal/engine/index.ts";
import { journalStream, journalSubject } from "../../internal/journal/index.ts";
import type { Worker } from "../../internal/worker/index.ts";
import { waitFor } from "../helpers/wait.ts";
import { fakeWorkers, writeWorkflows } from "./harness.ts";
import type { TaskmasterProcess } from "./process.ts";

export const streams = {
  tasks: "TASKMASTER_TASKS",
  failed: "TASKMASTER_FAILED",
  done: "TASKMASTER_DONE",
  events: journalStream,
  audit: auditStream,
} as const;

/** Rows of each batch: the cron fires every second and makes this many tasks, and each makes a child. */
const rows = 40;
const burstRule = `cron=* * * * * *&meta=i:${Array.from({ length: rows }, (_, i) => i).join(",")}`;
/** No slot for a long time, and none caught up: the burst is over. */
const quietRule = "cron=0 0 0 1 1 *&catchup=none";

const workflow = (rule: string) => `[[phase]]
task = "batch"
rule = "${rule}"
template = "?i={meta:i}"

[[phase]]
task = "child"
dependsOn = "batch"
template = "?i={meta:i}"

[[phase]]
task = "arrival"
rule = "files=/in/*.csv"
template = "{meta:file}"
`;

export const burstWorkflow = { "w.toml": workflow(burstRule) };

/** Flags for a test's taskmaster: the workflows rescanned every second (the burst ends by an edit). */
export const burstFlags = ["--refresh", "1s"];

/** Ends the burst: the batch phase's cron no longer fires; resolves once the engine has reloaded. */
export async function endBurst(dir: string, engine: TaskmasterProcess): Promise<void> {
  const reloads = () => engine.lines.filter((l) => l.msg === "workflows reloaded").length;
  const before = reloads();
  writeWorkflows(dir, { "w.toml": workflow(quietRule) });
  await waitFor(() => reloads() > before, { timeoutMs: 20_000, message: "the workflows reloaded" });
}

/** Workers for the three topics: every task complete, but for every tenth child, which fails (an alert). */
export function burstWorkers(nc: NatsConnection): Worker[] {
  return fakeWorkers(nc, ["batch", "child", "arrival"], (task) =>
    task.type === "child" && task.info.endsWith("0")
      ? { result: "error", msg: "the child failed" }
      : { result: "complete" },
  );
}

/**
 * File messages on the files topic, one every `everyMs` until stopped: most match the arrival phase (a task), every
 * fifth matches none (a file recorded unmatched).
 */
export function fileArrivals(nc: NatsConnection, everyMs = 50): { stop(): Promise<number> } {
  const js = jetstream(nc);
  let n = 0;
  let stopped = false;
  const run = (async () => {
    while (!stopped) {
      const path = n % 5 === 4 ? `/elsewhere/f-${n}.txt` : `/in/f-${n}.csv`;
      const created = new Date().toISOString();
      await js.publish("files", JSON.stringify({ path, size: n + 1, created }));
      n++;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    return n;
  })();
  return {
    stop: () => {
      stopped = true;
      return run;
    },
  };
}

/** Tasks published on `subject`, as they come: how many, and when each came (ms since the epoch). */
export function countMessages(
  nc: NatsConnection,
  subject: string,
): { count(): number; times: number[]; stop(): void } {
  const sub = nc.subscribe(subject);
  const times: number[] = [];
  void (async () => {
    for await (const _ of sub) times.push(Date.now());
  })();
  return { count: () => times.length, times, stop: () => sub.unsubscribe() };
}

/**
 * Resolves once the work is over: as many done messages as tasks or more (a task published again after a crash, a
 * duplicate the stream drops, still reaches the workers and is answered twice), the engine's consumers holding no
 * done or file message (unless `engine` is false: none runs), the same twice in a row. A done message the killed
 * engine had taken comes back after the consumer's ack wait (30 s): the default timeout leaves room for it.
 */
export async function quiet(nc: NatsConnection, engine = true, timeoutMs = 90_000): Promise<void> {
  const jsm = await jetstreamManager(nc);
  let last = "";
  await waitFor(
    async () => {
      const tasks = (await jsm.streams.info(streams.tasks)).state.messages;
      const done = (await jsm.streams.info(streams.done)).state.messages;
      let pending = 0;
      if (engine) {
        const d = await jsm.consumers.info(streams.done, "taskmaster-done");
        const f = await jsm.consumers.info("TASKMASTER_FILES", "taskmaster-files");
        pending = d.num_pending + d.num_ack_pending + f.num_pending + f.num_ack_pending;
      }
      const now = `${tasks}/${done}/${pending}`;
      const settled = done >= tasks && pending === 0 && now === last;
      last = now;
      return settled;
    },
    { timeoutMs, intervalMs: 300, message: "the burst's tasks all answered and handled" },
  ).catch((err: Error) => {
    throw new Error(`${err.message} (tasks/dones/pending: ${last})`);
  });
}

/** Each followed stream's last sequence. */
export async function lastSeqs(nc: NatsConnection): Promise<Record<string, number>> {
  const jsm = await jetstreamManager(nc);
  const last: Record<string, number> = {};
  for (const name of Object.values(streams)) last[name] = (await jsm.streams.info(name)).state.last_seq;
  return last;
}

/** The positions the history's file stores (read-only, beside the process that writes it). */
export function storedPositions(path: string): Record<string, number> {
  if (!existsSync(path)) return {};
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT stream, seq FROM positions").all() as { stream: string; seq: number }[];
    return Object.fromEntries(rows.map((r) => [r.stream, r.seq]));
  } finally {
    db.close();
  }
}

/** Resolves once the history's file holds every message the streams hold now (their positions stored). */
export async function caughtUp(nc: NatsConnection, path: string, timeoutMs = 60_000): Promise<void> {
  const last = await lastSeqs(nc);
  let stored: Record<string, number> = {};
  await waitFor(
    () => {
      stored = storedPositions(path);
      return Object.entries(last).every(([name, seq]) => (stored[name] ?? 0) === seq);
    },
    { timeoutMs, intervalMs: 200, message: `the history caught up to ${JSON.stringify(last)}` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; it stores ${JSON.stringify(stored)}`);
  });
}

interface StreamMessage {
  readonly seq: number;
  readonly msgId: string;
  readonly data: string;
}

/** Every message `stream` holds, in order. */
async function readAll(nc: NatsConnection, stream: string): Promise<StreamMessage[]> {
  const info = await (await jetstreamManager(nc)).streams.info(stream);
  const out: StreamMessage[] = [];
  if (info.state.messages === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream);
  for await (const m of await consumer.consume({ max_messages: 1000 })) {
    out.push({ seq: m.seq, msgId: m.headers?.get("Nats-Msg-Id") ?? "", data: m.string() });
    if (m.seq >= info.state.last_seq) break;
  }
  return out;
}

/** Messages of the journal per subject. */
async function journalCounts(nc: NatsConnection): Promise<Record<string, number>> {
  const info = await (await jetstreamManager(nc)).streams.info(streams.events, { subjects_filter: ">" });
  return info.state.subjects ?? {};
}

export interface Completeness {
  readonly tasks: number;
  readonly dones: number;
  readonly files: number;
  readonly alerts: number;
  readonly actions: number;
}

const matchOf = (t: Record<string, unknown>) =>
  [t.id, t.type, t.job ?? "", t.info ?? "", new Date(String(t.created)).toISOString()].map(String).join("|");

/**
 * Asserts that the history file at `path` (closed, or read beside its writer) holds exactly what the streams hold:
 * every task's message id is a row's key and every row's key a task's message id; every done message finished its
 * task with its result; one child per batch task (the run's id); files and alerts as many as their journal entries,
 * actions as many as the audit stream's records; the positions at the streams' ends.
 */
export async function expectComplete(nc: NatsConnection, path: string): Promise<Completeness> {
  const [tasks, failed, dones, audit, journal, last] = await Promise.all([
    readAll(nc, streams.tasks),
    readAll(nc, streams.failed),
    readAll(nc, streams.done),
    readAll(nc, streams.audit),
    journalCounts(nc),
    lastSeqs(nc),
  ]);
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT key, id, type, job, info, created, result, done, kind FROM tasks")
      .all() as Record<string, string | null>[];
    const keys = rows.map((r) => String(r.key));
    // The copies of tasks that failed for good are rows too, from the failed stream.
    const msgIds = [...tasks, ...failed].map((m) => m.msgId);
    expect(new Set(msgIds).size).toBe(msgIds.length);
    expect(keys.length).toBe(new Set(keys).size);
    const missing = msgIds.filter((id) => !new Set(keys).has(id));
    const extra = keys.filter((k) => !new Set(msgIds).has(k));
    expect({ missing: missing.length, extra: extra.length, extraKeys: extra.slice(0, 5) }).toEqual({
      missing: 0,
      extra: 0,
      extraKeys: [],
    });

    const finished = new Map<string, Record<string, string | null>[]>();
    for (const r of rows) {
      if (r.done === null) continue;
      const m = matchOf(r);
      finished.set(m, [...(finished.get(m) ?? []), r]);
    }
    // A task answered twice (published again by an engine killed before its ack) has two done messages: one row.
    let unmatched = 0;
    const answered = new Set<string>();
    for (const d of dones) {
      const task = JSON.parse(d.data) as Record<string, unknown>;
      answered.add(matchOf(task));
      const found = finished.get(matchOf(task)) ?? [];
      if (found.length !== 1 || found[0]?.result !== task.result) unmatched++;
    }
    expect({ unmatchedDones: unmatched, finishedRows: rows.filter((r) => r.done !== null).length }).toEqual({
      unmatchedDones: 0,
      finishedRows: answered.size,
    });

    const children = rows.filter((r) => r.type === "child" && r.kind !== "failed").map((r) => String(r.id));
    expect(new Set(children).size).toBe(children.length);

    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const on = (type: Parameters<typeof journalSubject>[0]) => journal[journalSubject(type)] ?? 0;
    const expected = {
      files: on("file"),
      alerts: on("alert") + on("rejected") + on("skipped") + on("reload-rejected"),
      actions: audit.length,
    };
    const held = {
      files: count("SELECT count(*) AS n FROM files"),
      alerts: count("SELECT count(*) AS n FROM alerts"),
      actions: count("SELECT count(*) AS n FROM actions"),
    };
    expect(held).toEqual(expected);
    const positions = db.prepare("SELECT stream, seq FROM positions").all() as {
      stream: string;
      seq: number;
    }[];
    expect(Object.fromEntries(positions.map((p) => [p.stream, p.seq]))).toEqual(
      Object.fromEntries(Object.entries(last).filter(([, seq]) => seq > 0)),
    );
    return { tasks: tasks.length, dones: answered.size, ...held };
  } finally {
    db.close();
  }
}

/** The history child's pid, from the engine's log: the `n`-th start (1 for the first), once that one is running. */
export async function historyPid(engine: TaskmasterProcess, n: number, timeoutMs = 30_000): Promise<number> {
  let pid = 0;
  await waitFor(
    () => {
      const started = engine.lines.filter((l) => l.msg === "history process started");
      pid = Number(started[n - 1]?.pid ?? 0);
      return pid > 0 && engine.lines.some((l) => l.msg === "history running" && l.pid === pid);
    },
    { timeoutMs, message: `the history process running (start ${n})` },
  );
  return pid;
}

/** The status the API answers (through the engine's proxy in role all). */
export async function historyStatus(api: string): Promise<{
  history?: { mode: string; reason: string; behind: number; rebuild?: { done: number; total: number } };
}> {
  const res = await fetch(`${api}/api/v1/status`);
  if (res.status !== 200) return {};
  return (await res.json()) as never;
}

export const apiOf = (p: TaskmasterProcess, msg = "API listening") =>
  String(p.lines.find((l) => l.msg === msg)?.http);

export const randomMs = (from: number, to: number) => from + Math.floor(Math.random() * (to - from));
