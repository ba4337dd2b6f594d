// The rules that keep one row per task however records race, through the writer the follower uses. Each record
// call is a transaction of its own; `write` puts several in one, as the follower does with a batch.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  alert,
  done,
  file,
  type HistoryFile,
  historyFile,
  phase,
  rejected,
  task,
  tempDir,
} from "../../test/helpers/records.ts";
import { alertsOn, counts, daysWith, filesOn, phases, rejectedOn, tasksById, tasksOn } from "./queries.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const clean of cleanups.splice(0).reverse()) clean();
});

function newStore(): { store: HistoryFile } {
  const { dir, remove } = tempDir();
  const store = historyFile(join(dir, "taskmaster.db"));
  cleanups.push(remove, () => store.close());
  return { store };
}

describe("writing records", () => {
  it("writes every kind of record and reads it back", () => {
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
    const db = store.db;

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

  it("replaces the phases on each load", () => {
    const { store } = newStore();
    store.phasesLoaded([phase(), phase({ phase: "b" })]);
    store.phasesLoaded([phase({ phase: "c" })]);
    expect(phases(store.db).map((p) => p.phase)).toEqual(["c"]);
  });

  it("keeps tasks apart that share an id, a second or a tuple, and a done finishes exactly one", () => {
    const { store } = newStore();
    const childA = task({ key: "child-a", kind: "child", info: "?part=a" });
    const childB = task({ key: "child-b", kind: "child", info: "?part=b" });
    const batch1 = task({ key: "batch-1", id: "b1", kind: "batch", created: "2024-01-15T03:04:05Z" });
    const batch2 = task({ key: "batch-2", id: "b2", kind: "batch", created: "2024-01-15T03:04:05Z" });
    const retry = task({ key: "retry-1", kind: "retry", info: "?part=a", created: "2024-01-15T03:09:00Z" });
    for (const t of [childA, childB, batch1, batch2, retry]) store.taskEmitted(t);
    store.taskDone(done(childA, { result: "error", msg: "boom" }));
    store.taskDone(done(batch2));
    const db = store.db;

    const byKey = new Map(tasksOn(db, "2024-01-15").rows.map((r) => [r.key, r]));
    expect(byKey.size).toBe(5);
    expect(byKey.get("child-a")).toMatchObject({ result: "error", msg: "boom" });
    expect(byKey.get("child-b")?.result).toBe("");
    expect(byKey.get("retry-1")?.result).toBe("");
    expect(byKey.get("batch-1")?.result).toBe("");
    expect(byKey.get("batch-2")?.result).toBe("complete");
    expect(tasksById(db, "id-1").map((r) => r.key)).toEqual(["child-a", "child-b", "retry-1"]);
  });

  it("tells a retry sent within the same second from the task it retries, by its retry meta", () => {
    const { store } = newStore();
    const first = task({ key: "first", kind: "child" });
    const retry = task({ key: "retry", kind: "retry", meta: `${first.meta}&retry=1` });
    store.taskEmitted(first);
    store.taskEmitted(retry);
    store.taskDone(done(first, { result: "error", msg: "boom" }));
    store.taskDone(done(retry, { result: "complete" }));
    const rows = tasksById(store.db, first.id);
    expect(rows.map((r) => [r.key, r.result]).sort()).toEqual([
      ["first", "error"],
      ["retry", "complete"],
    ]);
  });

  it("ignores a repeated task and a repeated done", () => {
    const { store } = newStore();
    const t = task();
    store.taskEmitted(t);
    store.taskDone(done(t));
    store.taskEmitted({ ...t, info: "changed" });
    store.taskDone(done(t));
    const db = store.db;
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([{ key: "k1", info: t.info, result: "complete" }]);
  });

  it("matches a done to its task whatever shape its created time has", () => {
    const { store } = newStore();
    const t = task({ created: "2024-01-15T05:04:05+02:00" });
    store.taskEmitted(t);
    store.taskDone(done(t, { created: "2024-01-15T03:04:05.000Z" }));
    const db = store.db;
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([{ key: "k1", result: "complete" }]);
  });

  it("keeps a done that arrives before its task, and merges it into the task", () => {
    const { store } = newStore();
    const t = task();
    store.taskDone(done(t, { result: "warn", msg: "late" }));
    const db = store.db;
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([{ kind: "unknown", result: "warn" }]);
    expect(tasksOn(db, "2024-01-15").rows[0]?.key).toMatch(/^done:2024-01-15T03:04:05\.000Z\|[0-9a-f]{24}$/);

    store.taskEmitted(t);
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([
      { key: "k1", kind: "cron", subject: "tasks.extract", result: "warn", msg: "late", runMs: 2000 },
    ]);
  });

  it("writes a task and its done from the same batch as one finished row, whichever came first", () => {
    const { store } = newStore();
    const taskFirst = task({ key: "task-first", id: "a" });
    const doneFirst = task({ key: "done-first", id: "b" });
    store.write([
      { op: "task", record: taskFirst },
      { op: "done", record: done(taskFirst, { result: "error", msg: "boom" }) },
      { op: "done", record: done(doneFirst, { result: "warn", msg: "late" }) },
      { op: "done", record: done(doneFirst, { result: "warn", msg: "late" }) }, // delivered twice
      { op: "task", record: doneFirst },
    ]);
    const db = store.db;
    expect(
      tasksOn(db, "2024-01-15")
        .rows.map((r) => [r.key, r.result, r.msg, r.kind])
        .sort(),
    ).toEqual([
      ["done-first", "warn", "late", "cron"],
      ["task-first", "error", "boom", "cron"],
    ]);
  });

  it("finishes the row already recorded when a task is recorded twice with its done in a later batch", () => {
    const { store } = newStore();
    const t = task();
    store.write([
      { op: "task", record: t },
      { op: "task", record: t },
    ]);
    store.taskDone(done(t));
    const db = store.db;
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([{ key: "k1", result: "complete" }]);
  });

  it("adopts a done from an earlier batch even when the task's own done comes in the same batch", () => {
    const { store } = newStore();
    const t = task();
    store.taskDone(done(t, { result: "error", msg: "first try" }));
    store.write([
      { op: "task", record: t },
      { op: "done", record: done(t, { result: "complete", msg: "" }) },
    ]);
    const db = store.db;
    expect(tasksOn(db, "2024-01-15").rows).toMatchObject([{ key: "k1", result: "complete", kind: "cron" }]);
  });
});
