/**
 * The history as a projection of the streams, against a real nats-server: what each stream's messages become, a
 * restart mid-burst, a rebuild from nothing, a corrupt file, a full disk and messages a stream dropped unread.
 */
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Database } from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectNats, Publisher } from "../../internal/bus/index.ts";
import {
  alertsOn,
  counts,
  type FollowEvent,
  type FollowOptions,
  filesOn,
  type HistoryFollower,
  type ProjectedBatch,
  phases,
  recentActions,
  rejectedOn,
  startFollower,
  taskByKey,
  tasksOn,
} from "../../internal/cache/index.ts";
import type { JournalFact } from "../../internal/journal/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import {
  type HistoryStreams,
  historyStreams,
  pipelined,
  publishAction,
  publishDone,
  publishEntry,
  publishTask,
  testTask,
} from "../helpers/history.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { tempDir } from "../helpers/records.ts";
import { waitFor } from "../helpers/wait.ts";

let server: NatsServer;
let nc: NatsConnection;
let publisher: Publisher;
let streamCount = 0;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "follow-test" });
  publisher = new Publisher(nc);
});

afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

afterAll(async () => {
  publisher?.close();
  await nc?.close();
  await server?.stop();
});

async function streams(maxMsgs = -1): Promise<HistoryStreams> {
  return historyStreams(await jetstreamManager(nc), `H${++streamCount}`, maxMsgs);
}

function dbPath(): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  return join(dir, "history.db");
}

interface Followed {
  readonly follower: HistoryFollower;
  readonly events: FollowEvent[];
  db(): Database;
}

async function follow(h: HistoryStreams, path: string, over: Partial<FollowOptions> = {}): Promise<Followed> {
  const events: FollowEvent[] = [];
  const follower = await startFollower({
    nc,
    path,
    streams: h.streams,
    retentionMs: 0,
    retryMs: 100,
    onEvent: (e) => events.push(e),
    ...over,
  });
  cleanups.push(() => follower.stop());
  return {
    follower,
    events,
    db() {
      const db = follower.database();
      if (!db) throw new Error("the history has no file open");
      return db;
    },
  };
}

const at = new Date("2024-01-15T04:00:00.000Z");
const day = "2024-01-15";

/** Every kind of journal entry. */
const facts: JournalFact[] = [
  {
    type: "alert",
    kind: "retries-exhausted",
    task: {
      id: "id-1",
      type: "load",
      job: "eu",
      info: "?n=1",
      meta: "",
      dataTime: "2024-01-15T00:00:00.000Z",
    },
    message: "failed 3 times",
  },
  {
    type: "file",
    path: "s3://in/2024/01/15/a.csv",
    size: 12,
    modified: "2024-01-15T03:00:00.000Z",
    checksum: "abc",
    source: "watch",
    format: "stat",
    status: "triggered",
    dataTime: "2024-01-15T00:00:00.000Z",
    tasks: [{ id: "f1", name: "ingest", subject: "ingest", workflow: "w.toml", phase: "ingest" }],
    reason: "",
  },
  { type: "cron", workflow: "w.toml", phase: "load:eu", slot: "2024-01-15T00:00:00Z", tasks: 1 },
  { type: "skipped", workflow: "w.toml", phase: "load:eu", skipped: 2, first: "", last: "" },
  { type: "rejected", subject: "done", reason: "not JSON", data: "{oops" },
  {
    type: "reload",
    workflows: 1,
    changed: ["w.toml"],
    phases: [
      {
        workflow: "w.toml",
        phase: "load:eu",
        topic: "load",
        job: "eu",
        dependsOn: "",
        rule: "cron=0 * * * *",
        template: "?n=1",
        retry: 2,
        status: "ok",
        problems: [],
      },
    ],
  },
  { type: "reload-rejected", problems: ["w.toml: bad rule"] },
];

/** Task keys, file paths, alert messages and action details: the rows, without their autoincrement keys. */
function rows(db: Database) {
  const all = (sql: string) => db.prepare(sql).all();
  return {
    tasks: all(
      "SELECT key, id, type, job, info, meta, kind, workflow, phase, created, result, started, ended FROM tasks ORDER BY key",
    ),
    files: all("SELECT path, status, received FROM files ORDER BY received, path"),
    alerts: all("SELECT kind, task_id, msg, created FROM alerts ORDER BY created, msg"),
    actions: all("SELECT action, detail, at FROM actions ORDER BY at, detail"),
  };
}

describe("the history follower", () => {
  it("projects tasks, dones, every journal entry and audit records, which the queries show", async () => {
    const h = await streams();
    const f = await follow(h, dbPath());
    const batches: ProjectedBatch[] = [];
    f.follower.onProjected((b) => batches.push(b));
    await publishTask(publisher, h, 1);
    await publishTask(publisher, h, 2, true, { meta: "retry=1&job=eu&workflow=other.toml" });
    // The copy of a task that failed for good, on the failed stream, as the engine publishes it.
    await publisher.publish(
      `${h.subjects.failed}.failed`,
      new TextEncoder().encode(taskJson(testTask(3, { meta: "retry=failed&job=eu&workflow=w.toml" }))),
      "key-3-failed",
    );
    await publishDone(publisher, h, 1);
    for (const [i, fact] of facts.entries()) await publishEntry(publisher, h, fact, at, `e${i}`);
    await publishAction(publisher, h, 1, at.toISOString());
    await f.follower.caughtUp();

    const db = f.db();
    const page = tasksOn(db, day);
    expect(page.total).toBe(3);
    expect(taskByKey(db, "key-3-failed")).toMatchObject({ kind: "failed", id: "id-3", workflow: "w.toml" });
    expect(taskByKey(db, "key-1")).toMatchObject({
      kind: "cron",
      workflow: "w.toml",
      phase: "load:eu",
      result: "complete",
      started: "2024-01-15T00:00:02.000Z",
      dataTime: "2024-01-15T00:00:00.000Z",
    });
    // Published by someone else: no headers, read from its meta.
    expect(taskByKey(db, "key-2")).toMatchObject({
      kind: "retry",
      workflow: "other.toml",
      phase: "load:eu",
      result: "",
    });
    expect(filesOn(db, day)).toMatchObject([
      {
        path: "s3://in/2024/01/15/a.csv",
        taskIds: ["f1"],
        taskNames: ["ingest"],
        received: at.toISOString(),
      },
    ]);
    // Newest first: a refused reload, a refused message and skipped slots are alerts too.
    expect(alertsOn(db, day)).toMatchObject([
      { kind: "workflows-rejected", msg: "workflow reload refused: w.toml: bad rule" },
      { kind: "rejected-message", msg: "message rejected on done: not JSON" },
      { kind: "cron-skipped", msg: "w.toml: load:eu: 2 missed cron slot(s) skipped by the catch-up rule" },
      { kind: "retries-exhausted", taskId: "id-1", msg: "failed 3 times", created: at.toISOString() },
    ]);
    expect(rejectedOn(db, day)).toMatchObject([{ subject: "done", reason: "not JSON", data: "{oops" }]);
    expect(phases(db)).toMatchObject([
      { workflow: "w.toml", phase: "load:eu", retry: 2, loaded: at.toISOString() },
    ]);
    expect(recentActions(db)).toMatchObject([{ action: "retry", actor: "admin", detail: '{"n":1}' }]);

    const entries = batches.flatMap((b) => b.entries.map((e) => e.type));
    expect(entries).toEqual(facts.map((e) => e.type));
    expect(batches.flatMap((b) => b.alerts.map((a) => a.message))).toEqual([
      "failed 3 times",
      "w.toml: load:eu: 2 missed cron slot(s) skipped by the catch-up rule",
      "message rejected on done: not JSON",
      "workflow reload refused: w.toml: bad rule",
    ]);
    expect(batches.reduce((n, b) => n + b.tasks + b.dones + b.actions, 0)).toBe(5);
    expect(batches.every((b) => !b.replay)).toBe(true);
    expect(f.follower.state()).toMatchObject({
      mode: "ok",
      behind: 0,
      lost: 0,
      positions: {
        [h.streams.tasks]: 2,
        [h.streams.failed]: 1,
        [h.streams.done]: 1,
        [h.streams.events]: facts.length,
        [h.streams.audit]: 1,
      },
    });
  });

  it("waits for a stream that does not exist yet", async () => {
    const h = await streams();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(h.streams.audit);
    const f = await follow(h, dbPath());
    await publishTask(publisher, h, 1);
    await f.follower.caughtUp();
    await jsm.streams.add({ name: h.streams.audit, subjects: [`${h.subjects.audit}.>`] });
    await publishAction(publisher, h, 1, at.toISOString());
    await waitFor(() => recentActions(f.db()).length === 1, { message: "the action projected" });
    expect(f.follower.state().mode).toBe("ok");
  });

  it("resumes after a stop mid-burst with every message once", async () => {
    const h = await streams();
    const path = dbPath();
    const first = await follow(h, path);
    const n = 3000;
    const burst = pipelined(
      n,
      async (i) => {
        await publishTask(publisher, h, i);
        await publishDone(publisher, h, i);
        if (i % 10 === 0) {
          await publishEntry(publisher, h, { ...(facts[0] as JournalFact) }, at, `a${i}`);
          await publishEntry(publisher, h, { ...(facts[1] as JournalFact) }, at, `f${i}`);
          await publishAction(publisher, h, i, at.toISOString());
        }
      },
      200,
    );
    await waitFor(() => counts(first.db()).tasks > 0, { message: "some tasks projected" });
    await first.follower.stop();
    expect(first.follower.database()).toBeNull();
    const second = await follow(h, path);
    await burst;
    await second.follower.caughtUp();
    const c = { ...counts(second.db()), actions: recentActions(second.db(), 100_000).length };
    expect({ tasks: c.tasks, files: c.files, alerts: c.alerts, actions: c.actions }).toEqual({
      tasks: n,
      files: n / 10,
      alerts: n / 10,
      actions: n / 10,
    });
    const unfinished = second.db().prepare("SELECT count(*) AS n FROM tasks WHERE result = ''").get() as {
      n: number;
    };
    expect(unfinished.n).toBe(0);
  });

  it("rebuilds from nothing the same history it built incrementally, and says so", async () => {
    const h = await streams();
    const incremental = await follow(h, dbPath());
    await pipelined(500, async (i) => {
      await publishDone(publisher, h, i); // a done before its task: an orphan the task adopts
      await publishTask(publisher, h, i);
      if (i % 50 === 0) {
        await publishEntry(publisher, h, { ...(facts[0] as JournalFact) }, at, `a${i}`);
        await publishAction(publisher, h, i, at.toISOString());
      }
    });
    await incremental.follower.caughtUp();
    const rebuilt = await follow(h, dbPath());
    await rebuilt.follower.caughtUp();
    expect(rows(rebuilt.db())).toEqual(rows(incremental.db()));
    expect(rebuilt.events.find((e) => e.type === "rebuilt")).toMatchObject({ messages: 1000 + 20 });
    expect(rebuilt.events.filter((e) => e.type === "state").map((e) => e.state.mode)).toEqual([
      "rebuilding",
      "ok",
    ]);
  });

  it("moves a corrupt file aside and rebuilds it equal to the incremental history", async () => {
    const h = await streams();
    const path = dbPath();
    const incremental = await follow(h, dbPath());
    let restored = 0;
    const first = await follow(h, path, { beforeOpen: () => void restored++ });
    await pipelined(300, async (i) => {
      await publishTask(publisher, h, i);
      await publishDone(publisher, h, i);
      if (i % 30 === 0) await publishEntry(publisher, h, { ...(facts[1] as JournalFact) }, at, `f${i}`);
    });
    await first.follower.caughtUp();
    await incremental.follower.caughtUp();
    await first.follower.stop();
    writeFileSync(path, "this is not a database, it is garbage ".repeat(200));
    restored = 0;
    const second = await follow(h, path, { beforeOpen: () => void restored++ });
    await second.follower.caughtUp();
    const moved = second.events.find((e) => e.type === "movedAside");
    expect(moved).toMatchObject({ path });
    expect(existsSync(moved?.type === "movedAside" ? moved.aside : "")).toBe(true);
    expect(restored).toBe(1);
    expect(second.follower.state()).toMatchObject({
      mode: "ok",
      movedAside: moved?.type === "movedAside" && moved.aside,
    });
    expect(second.events.some((e) => e.type === "rebuilt")).toBe(true);
    expect(rows(second.db())).toEqual(rows(incremental.db()));
  });

  it("degrades when the disk is full, then writes every message once", async () => {
    const h = await streams();
    const f = await follow(h, dbPath());
    await publishTask(publisher, h, 0);
    await f.follower.caughtUp();
    const db = f.db();
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    await pipelined(2000, async (i) => {
      await publishTask(publisher, h, i + 1, false, { info: `?n=${i}&pad=${"x".repeat(200)}` });
      if (i % 20 === 0) await publishEntry(publisher, h, { ...(facts[0] as JournalFact) }, at, `a${i}`);
    });
    const degraded = () =>
      f.events.flatMap((e) => (e.type === "state" && e.state.mode === "degraded" ? [e.state] : []));
    await waitFor(() => degraded().length > 0, { message: "degraded" });
    expect(degraded()[0]?.reason).toMatch(/disk full writing .*history\.db \(SQLITE_FULL\)/);
    // The retry opens a new connection, without the limit.
    await f.follower.caughtUp();
    expect(f.follower.state().mode).toBe("ok");
    const c = { ...counts(f.db()), actions: 0 };
    expect({ tasks: c.tasks, alerts: c.alerts }).toEqual({ tasks: 2001, alerts: 100 });
  });

  it("reopens on a restored backup and catches up from the positions the backup holds", async () => {
    const h = await streams();
    const path = dbPath();
    const f = await follow(h, path);
    const send = (from: number, to: number) =>
      pipelined(to - from, async (i) => {
        await publishTask(publisher, h, from + i);
        await publishEntry(publisher, h, { ...(facts[0] as JournalFact) }, at, `a${from + i}`);
      });
    await send(0, 100);
    await f.follower.caughtUp();
    const backup = `${path}.backup`;
    await f.db().backup(backup);
    await send(100, 250);
    await f.follower.caughtUp();
    await f.follower.reopen((target) => copyFileSync(backup, target));
    expect(f.follower.state().positions[h.streams.tasks]).toBe(100);
    await f.follower.caughtUp();
    const c = counts(f.db());
    expect({ tasks: c.tasks, alerts: c.alerts }).toEqual({ tasks: 250, alerts: 250 });
    expect(f.follower.state().mode).toBe("ok");
  });

  it("counts the messages a stream dropped before they were read as lost", async () => {
    const h = await streams(100);
    await pipelined(250, (i) => publishTask(publisher, h, i));
    const f = await follow(h, dbPath());
    await f.follower.caughtUp();
    expect(f.follower.state()).toMatchObject({ lost: 150, positions: { [h.streams.tasks]: 250 } });
    expect(f.events.find((e) => e.type === "lost")).toEqual({
      type: "lost",
      stream: h.streams.tasks,
      from: 1,
      to: 150,
    });
    expect(counts(f.db()).tasks).toBe(100);
    await f.follower.stop();
    // Stored: a new follower on the file counts them still.
    const again = await follow(h, f.follower.state().path);
    expect(again.follower.state().lost).toBe(150);
  });
});
