import { copyFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { alert, done, file, phase, rejected, task, tempDir } from "../../test/helpers/records.ts";
import { alertsOn, counts, daysWith, filesOn, phases, rejectedOn, tasksById, tasksOn } from "./queries.ts";
import { type CacheStore, type CacheStoreOptions, createCacheStore } from "./store.ts";
import type { CacheState, TaskRecord } from "./types.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

function newStore(options: Partial<CacheStoreOptions> = {}): { store: CacheStore; dir: string } {
  const { dir, remove } = tempDir();
  const store = createCacheStore({ path: join(dir, "taskmaster.db"), retentionMs: 0, ...options });
  cleanups.push(remove, () => store.close());
  return { store, dir };
}

async function written(store: CacheStore) {
  await store.flush();
  const db = store.database();
  if (!db) throw new Error(`no database: ${store.state().reason}`);
  return db;
}

describe("cache store", () => {
  it("writes every kind of record and reads it back", async () => {
    const { store } = newStore();
    const t = task();
    store.taskEmitted(t);
    store.taskDone(done(t));
    store.fileArrived(file());
    store.alertRaised(alert());
    store.messageRejected(rejected());
    store.phasesLoaded([
      phase(),
      phase({ phase: "load", topic: "load", job: "", problems: ["f1.toml: load: x"] }),
    ]);
    const db = await written(store);

    const [row] = tasksOn(db, "2024-01-15").rows;
    expect(row).toMatchObject({
      key: "k1",
      kind: "cron",
      created: "2024-01-15T03:04:05.000Z",
      published: "2024-01-15T03:04:05.120Z",
      dataTime: "2024-01-15T00:00:00.000Z",
      result: "complete",
      meta: `${t.meta}&worker=w1`,
      started: "2024-01-15T03:04:06.000Z",
      ended: "2024-01-15T03:04:08.000Z",
      done: "2024-01-15T03:04:08.500Z",
      queueMs: 1000,
      runMs: 2000,
    });
    expect(filesOn(db, "2024-01-15")).toEqual([
      {
        ...file(),
        seq: 1,
        modified: "2024-01-15T03:00:00.000Z",
        dataTime: "2024-01-15T00:00:00.000Z",
        received: "2024-01-15T03:10:00.000Z",
      },
    ]);
    expect(alertsOn(db, "2024-01-15")).toEqual([
      {
        ...alert(),
        seq: 1,
        created: "2024-01-15T04:00:00.000Z",
        dataTime: "2024-01-15T00:00:00.000Z",
        resolved: false,
      },
    ]);
    expect(rejectedOn(db, "2024-01-15")).toEqual([
      { ...rejected(), seq: 1, received: "2024-01-15T04:30:00.000Z" },
    ]);
    expect(phases(db).map((p) => [p.phase, p.problems])).toEqual([
      ["extract:daily", []],
      ["load", ["f1.toml: load: x"]],
    ]);
    expect(daysWith(db, "tasks")).toEqual(["2024-01-15"]);
    expect(daysWith(db, "files")).toEqual(["2024-01-15"]);
    expect(daysWith(db, "alerts")).toEqual(["2024-01-15"]);
    expect(counts(db)).toEqual({ tasks: 1, files: 1, alerts: 1, rejected: 1, phases: 2, days: 1 });
  });

  it("replaces the phases on each load", async () => {
    const { store } = newStore();
    store.phasesLoaded([phase(), phase({ phase: "b" })]);
    store.phasesLoaded([phase({ phase: "c" })]);
    expect(phases(await written(store)).map((p) => p.phase)).toEqual(["c"]);
  });

  it("keeps tasks apart that share an id, a second or a tuple, and a done finishes exactly one", async () => {
    const { store } = newStore();
    const childA = task({ key: "child-a", kind: "child", info: "?part=a" });
    const childB = task({ key: "child-b", kind: "child", info: "?part=b" });
    const batch1 = task({ key: "batch-1", id: "b1", kind: "batch", created: "2024-01-15T03:04:05Z" });
    const batch2 = task({ key: "batch-2", id: "b2", kind: "batch", created: "2024-01-15T03:04:05Z" });
    const retry = task({ key: "retry-1", kind: "retry", info: "?part=a", created: "2024-01-15T03:09:00Z" });
    for (const t of [childA, childB, batch1, batch2, retry]) store.taskEmitted(t);
    store.taskDone(done(childA, { result: "error", msg: "boom" }));
    store.taskDone(done(batch2));
    const db = await written(store);

    const byKey = new Map(tasksOn(db, "2024-01-15").rows.map((r) => [r.key, r]));
    expect(byKey.size).toBe(5);
    expect(byKey.get("child-a")).toMatchObject({ result: "error", msg: "boom" });
    expect(byKey.get("child-b")?.result).toBe("");
    expect(byKey.get("retry-1")?.result).toBe("");
    expect(byKey.get("batch-1")?.result).toBe("");
    expect(byKey.get("batch-2")?.result).toBe("complete");
    expect(tasksById(db, "id-1").map((r) => r.key)).toEqual(["child-a", "child-b", "retry-1"]);
  });

  it("tells a retry sent within the same second from the task it retries, by its retry meta", async () => {
    const { store } = newStore();
    const first = task({ key: "first", kind: "child" });
    const retry = task({ key: "retry", kind: "retry", meta: `${first.meta}&retry=1` });
    store.taskEmitted(first);
    store.taskEmitted(retry);
    store.taskDone(done(first, { result: "error", msg: "boom" }));
    store.taskDone(done(retry, { result: "complete" }));
    const rows = tasksById(await written(store), first.id);
    expect(rows.map((r) => [r.key, r.result]).sort()).toEqual([
      ["first", "error"],
      ["retry", "complete"],
    ]);
  });

  it("ignores a repeated task and a repeated done", async () => {
    const { store } = newStore();
    const t = task();
    store.taskEmitted(t);
    store.taskDone(done(t));
    store.taskEmitted({ ...t, info: "changed" });
    store.taskDone(done(t));
    const db = await written(store);
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([{ key: "k1", info: t.info, result: "complete" }]);
  });

  it("matches a done to its task whatever shape its created time has", async () => {
    const { store } = newStore();
    const t = task({ created: "2024-01-15T05:04:05+02:00" });
    store.taskEmitted(t);
    store.taskDone(done(t, { created: "2024-01-15T03:04:05.000Z" }));
    const db = await written(store);
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([{ key: "k1", result: "complete" }]);
  });

  it("keeps a done that arrives before its task, and merges it into the task", async () => {
    const { store } = newStore();
    const t = task();
    store.taskDone(done(t, { result: "warn", msg: "late" }));
    const db = await written(store);
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([{ kind: "unknown", result: "warn" }]);
    expect(tasksOn(db, "2024-01-15").rows[0]?.key).toMatch(/^done:[0-9a-f]{32}$/);

    store.taskEmitted(t);
    await store.flush();
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([
      { key: "k1", kind: "cron", subject: "tasks.extract", result: "warn", msg: "late", runMs: 2000 },
    ]);
  });

  it("writes a task and its done from the same batch as one finished row, whichever came first", async () => {
    const { store } = newStore();
    const taskFirst = task({ key: "task-first", id: "a" });
    const doneFirst = task({ key: "done-first", id: "b" });
    store.taskEmitted(taskFirst);
    store.taskDone(done(taskFirst, { result: "error", msg: "boom" }));
    store.taskDone(done(doneFirst, { result: "warn", msg: "late" }));
    store.taskDone(done(doneFirst, { result: "warn", msg: "late" })); // delivered twice
    store.taskEmitted(doneFirst);
    const db = await written(store);
    expect(
      tasksOn(db, "2024-01-15")
        .rows.map((r) => [r.key, r.result, r.msg, r.kind])
        .sort(),
    ).toEqual([
      ["done-first", "warn", "late", "cron"],
      ["task-first", "error", "boom", "cron"],
    ]);
  });

  it("finishes the row already recorded when a task is recorded twice with its done in a later batch", async () => {
    const { store } = newStore();
    const t = task();
    store.taskEmitted(t);
    await store.flush();
    store.taskEmitted(t);
    store.taskDone(done(t));
    const db = await written(store);
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([{ key: "k1", result: "complete" }]);
  });

  it("adopts a done from an earlier batch even when the task's own done comes in the same batch", async () => {
    const { store } = newStore();
    const t = task();
    store.taskDone(done(t, { result: "error", msg: "first try" }));
    await store.flush();
    store.taskEmitted(t);
    store.taskDone(done(t, { result: "complete", msg: "" }));
    const db = await written(store);
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([{ key: "k1", result: "complete", kind: "cron" }]);
  });

  it("writes when batchRows wait, without a flush", async () => {
    const { store } = newStore({ flushMs: 60_000, batchRows: 10 });
    await store.flush();
    for (let i = 0; i < 10; i++) store.taskEmitted(task({ key: `k${i}` }));
    await expect.poll(() => store.state().pending).toBe(0);
    expect(counts(await written(store)).tasks).toBe(10);
  });

  it("writes after flushMs without a flush", async () => {
    const { store } = newStore({ flushMs: 5 });
    await store.flush();
    store.taskEmitted(task());
    expect(store.state().pending).toBe(1);
    await expect.poll(() => store.state().pending).toBe(0);
    expect(counts(await written(store)).tasks).toBe(1);
  });

  it("never throws at the caller, even for bad records, and drops only what SQLite refuses", async () => {
    const { store } = newStore();
    const bad = { key: "bad", type: "t", created: "2024-01-15T00:00:00Z" } as unknown as TaskRecord;
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => {
      store.taskEmitted(bad);
      store.taskEmitted(undefined as unknown as TaskRecord);
      store.fileArrived({ ...file(), taskIds: cyclic as unknown as string[] });
      store.phasesLoaded(null as unknown as []);
      store.taskEmitted(task({ key: "good" }));
    }).not.toThrow();
    const db = await written(store);
    // Missing fields are stored empty; a record that cannot be read at all is dropped and counted.
    expect(tasksOn(db, "2024-01-15").rows.map((r) => r.key)).toEqual(["good", "bad"]);
    expect(store.state()).toMatchObject({ mode: "ok", pending: 0, dropped: 3 });
    expect(store.state().lastError).toMatch(/record refused/);
  });

  it("is degraded, not down, when the folder cannot be made, and keeps at most maxPending", async () => {
    const { dir } = newStore();
    writeFileSync(join(dir, "plain-file"), "");
    const path = join(dir, "plain-file", "taskmaster.db");
    const states: CacheState[] = [];
    const store = createCacheStore({
      path,
      retentionMs: 0,
      maxPending: 5,
      retryMs: 60_000,
      onState: (s) => states.push(s),
    });
    cleanups.push(() => store.close());
    for (let i = 0; i < 8; i++) store.taskEmitted(task({ key: `k${i}` }));
    await store.flush();
    expect(store.database()).toBeNull();
    expect(store.state()).toMatchObject({ mode: "degraded", pending: 5, dropped: 3, path });
    expect(store.state().reason).toBe(
      `cannot open ${path}: its folder is missing, cannot be made, is read-only or not allowed (EEXIST)`,
    );
    expect(states.map((s) => s.mode)).toEqual(["degraded"]);
  });

  it("retries by itself every retryMs and writes what waited", async () => {
    const { dir } = newStore();
    const blocker = join(dir, "not-yet");
    writeFileSync(blocker, "");
    const store = createCacheStore({ path: join(blocker, "taskmaster.db"), retentionMs: 0, retryMs: 20 });
    cleanups.push(() => store.close());
    store.taskEmitted(task());
    await store.flush();
    expect(store.state()).toMatchObject({ mode: "degraded", pending: 1 });
    rmSync(blocker);
    await expect.poll(() => store.state()).toMatchObject({ mode: "ok", pending: 0 });
    expect(counts(await written(store)).tasks).toBe(1);
  });

  it("reopens on a replaced file, keeping what waits in memory", async () => {
    const { store, dir } = newStore();
    const other = createCacheStore({ path: join(dir, "backup.db"), retentionMs: 0 });
    for (let i = 0; i < 5; i++) other.taskEmitted(task({ key: `backup-${i}` }));
    await other.close();
    store.taskEmitted(task({ key: "before" }));
    await store.flush();
    store.taskEmitted(task({ key: "queued" }));
    await store.reopen((path) => copyFileSync(join(dir, "backup.db"), path));
    const keys = tasksOn(await written(store), "2024-01-15").rows.map((r) => r.key);
    expect(keys.sort()).toEqual(["backup-0", "backup-1", "backup-2", "backup-3", "backup-4", "queued"]);
  });

  it("creates a missing folder, and drops records after close", async () => {
    const { dir } = newStore();
    const store = createCacheStore({ path: join(dir, "a", "b", "taskmaster.db"), retentionMs: 0 });
    store.taskEmitted(task());
    await store.close();
    await store.close();
    store.taskEmitted(task({ key: "late" }));
    expect(store.state()).toMatchObject({ mode: "ok", pending: 0, dropped: 1 });
    expect(store.database()).toBeNull();
  });
});
