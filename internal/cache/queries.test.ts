import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../errors/index.ts";
import { type DayKind, daysWith, tasksById, tasksOn } from "./queries.ts";
import { type CacheStore, createCacheStore } from "./store.ts";
import { done, task, tempDir } from "./testdata/records.ts";

let store: CacheStore;
let db: Database;
const folder = tempDir();

beforeAll(async () => {
  store = createCacheStore({ path: join(folder.dir, "taskmaster.db"), retentionMs: 0 });
  // 250 tasks on 2024-01-15 (UTC), one a minute from 00:00; every third finished, every fifth of type "load".
  for (let i = 0; i < 250; i++) {
    const t = task({
      key: `k${String(i).padStart(3, "0")}`,
      id: `id-${i % 10}`,
      type: i % 5 === 0 ? "load" : "extract",
      job: i % 2 === 0 ? "even" : "odd",
      created: new Date(Date.parse("2024-01-15T00:00:00Z") + i * 60_000).toISOString(),
    });
    store.taskEmitted(t);
    if (i % 3 === 0) store.taskDone(done(t, { result: i % 2 === 0 ? "complete" : "error" }));
  }
  // Local times whose UTC day differs from their own.
  store.taskEmitted(task({ key: "late-local", created: "2024-01-15T23:30:00-02:00" }));
  store.taskEmitted(task({ key: "early-local", created: "2024-01-16T01:00:00+02:00" }));
  await store.flush();
  db = store.database() ?? never();
});
afterAll(async () => {
  await store.close();
  folder.remove();
});

describe("queries", () => {
  it("pages the tasks of a day, newest first", () => {
    const first = tasksOn(db, "2024-01-15");
    expect(first.total).toBe(251);
    expect(first.rows).toHaveLength(100);
    expect(first.rows[0]?.key).toBe("early-local");
    expect(first.rows[1]?.key).toBe("k249");
    const third = tasksOn(db, "2024-01-15", { page: 3 });
    expect(third.rows.map((r) => r.key).slice(-1)).toEqual(["k000"]);
    expect(third.rows).toHaveLength(51);
    expect(tasksOn(db, "2024-01-15", { page: 2, pageSize: 10 }).rows[0]?.key).toBe("k240");
  });

  it("puts a task on its UTC day", () => {
    expect(tasksOn(db, "2024-01-16").rows.map((r) => r.key)).toEqual(["late-local"]);
    expect(daysWith(db, "tasks")).toEqual(["2024-01-16", "2024-01-15"]);
  });

  it("filters by type, job, result, running and id", () => {
    expect(tasksOn(db, "2024-01-15", { type: "load" }).total).toBe(50);
    expect(tasksOn(db, "2024-01-15", { type: "load", job: "even" }).total).toBe(25);
    expect(tasksOn(db, "2024-01-15", { result: "complete" }).total).toBe(42);
    expect(tasksOn(db, "2024-01-15", { result: "error" }).total).toBe(42);
    expect(tasksOn(db, "2024-01-15", { result: "running" }).total).toBe(251 - 84);
    expect(tasksOn(db, "2024-01-15", { id: "id-3", result: "error" }).rows.map((r) => r.key)).toEqual([
      "k243",
      "k213",
      "k183",
      "k153",
      "k123",
      "k093",
      "k063",
      "k033",
      "k003",
    ]);
  });

  it("computes queue and run times, null while unknown", () => {
    const [finished] = tasksOn(db, "2024-01-15", { result: "complete", pageSize: 1 }).rows;
    expect(finished).toMatchObject({ queueMs: 1000, runMs: 2000 });
    const [running] = tasksOn(db, "2024-01-15", { result: "running", pageSize: 1 }).rows;
    expect(running).toMatchObject({ queueMs: null, runMs: null, started: null });
  });

  it("lists every task of an id, oldest first", () => {
    const rows = tasksById(db, "id-7");
    expect(rows).toHaveLength(25);
    expect(rows.map((r) => r.created)).toEqual([...rows.map((r) => r.created)].sort());
  });

  it("refuses a day or a kind it does not know", () => {
    expect(() => tasksOn(db, "2024-02-30")).toThrow(InputError);
    expect(() => tasksOn(db, "15/01/2024")).toThrow(InputError);
    expect(() => daysWith(db, "users" as DayKind)).toThrow(InputError);
  });
});

function never(): never {
  throw new Error(store.state().reason);
}
