import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { done, type HistoryFile, historyFile, task, tempDir } from "../../test/helpers/records.ts";
import { InputError } from "../errors/index.ts";
import {
  type DayKind,
  daysWith,
  hourlyOn,
  type SortDirection,
  type TaskSort,
  tasksById,
  tasksOn,
} from "./queries.ts";

let store: HistoryFile;
let db: Database;
const folder = tempDir();

beforeAll(async () => {
  store = historyFile(join(folder.dir, "taskmaster.db"));
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
  // A task that failed on 2024-01-17 at 06:10, and its copy on the failed topic a second later (never run).
  const failing = task({ key: "failing", id: "id-f", created: "2024-01-17T06:10:00Z" });
  store.taskEmitted(failing);
  store.taskDone(done(failing, { result: "error" }));
  store.taskEmitted(
    task({
      key: "failing-copy",
      id: "id-f",
      kind: "failed",
      subject: "failed",
      created: "2024-01-17T06:10:01Z",
    }),
  );
  db = store.db;
});
afterAll(async () => {
  store.close();
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
    expect(daysWith(db, "tasks")).toEqual(["2024-01-17", "2024-01-16", "2024-01-15"]);
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

  it("sorts by a column either way, ties newest first, and pages never overlap", () => {
    const keys = (sort: TaskSort, direction?: SortDirection, pageSize = 3) =>
      tasksOn(db, "2024-01-15", { sort, ...(direction ? { direction } : {}), pageSize }).rows.map(
        (r) => r.key,
      );
    expect(keys("created", "asc")).toEqual(["k000", "k001", "k002"]);
    expect(keys("created", "desc")).toEqual(["early-local", "k249", "k248"]);
    // extract:daily (the local-time task), then extract:even newest first; load:odd newest first the other way.
    expect(keys("type", "asc")).toEqual(["early-local", "k248", "k246"]);
    expect(keys("type", "desc")).toEqual(["k245", "k235", "k225"]);
    // Shown results: complete < error < running.
    expect(keys("result", "asc")).toEqual(["k246", "k240", "k234"]);
    expect(keys("result", "desc")).toEqual(["early-local", "k248", "k247"]); // k249 is an error
    const seen = new Set<string>();
    for (const page of [1, 2, 3]) {
      for (const row of tasksOn(db, "2024-01-15", { sort: "type", direction: "asc", page }).rows)
        seen.add(row.key);
    }
    expect(seen.size).toBe(251);
  });

  it("puts unknown queue and run times last in either direction", () => {
    for (const direction of ["asc", "desc"] as const) {
      const rows = tasksOn(db, "2024-01-15", { sort: "queue", direction, pageSize: 85 }).rows;
      expect(
        rows.slice(0, 84).every((r) => r.queueMs === 1000),
        direction,
      ).toBe(true);
      expect(rows[84]?.queueMs, direction).toBeNull();
    }
    expect(tasksOn(db, "2024-01-15", { sort: "run", pageSize: 1 }).rows[0]?.runMs).toBe(2000);
  });

  it("refuses a column or direction not on its list, naming the parameter", () => {
    const day = "2024-01-15";
    expect(() => tasksOn(db, day, { sort: "created; DROP TABLE tasks" as TaskSort })).toThrow(
      /^sort: "created; DROP TABLE tasks" is not one of created, type, job, result, queue, run, id, info, kind$/,
    );
    expect(() => tasksOn(db, day, { sort: "msg" as TaskSort })).toThrow(InputError);
    expect(() => tasksOn(db, day, { direction: "up" as SortDirection })).toThrow(/^direction: "up"/);
    expect(tasksOn(db, day).total).toBe(251);
  });

  it("counts a day's tasks per hour and result, as the list filters them", () => {
    const hours = hourlyOn(db, "2024-01-15");
    expect(hours).toHaveLength(24);
    expect(hours.map((h) => h.hour)).toEqual([...Array(24).keys()]);
    // Minute i of the day: every third finished, complete when even.
    expect(hours[0]).toEqual({ hour: 0, complete: 10, error: 10, alert: 0, warn: 0, running: 40 });
    expect(hours[4]).toEqual({ hour: 4, complete: 2, error: 2, alert: 0, warn: 0, running: 6 });
    expect(hours[12]).toEqual({ hour: 12, complete: 0, error: 0, alert: 0, warn: 0, running: 0 });
    expect(hours[23]).toMatchObject({ running: 1 }); // 01:00+02:00 the next day is 23:00 UTC this day
    const sum = (h: (typeof hours)[number]) => h.complete + h.error + h.alert + h.warn + h.running;
    expect(hours.reduce((n, h) => n + sum(h), 0)).toBe(251);
    const loads = hourlyOn(db, "2024-01-15", { type: "load" });
    expect(loads[0]).toEqual({ hour: 0, complete: 2, error: 2, alert: 0, warn: 0, running: 8 });
    expect(hourlyOn(db, "2024-01-15", { result: "error" })[0]).toMatchObject({
      complete: 0,
      error: 10,
      running: 0,
    });
    expect(hourlyOn(db, "2024-01-15", { job: "none" }).every((h) => sum(h) === 0)).toBe(true);
  });

  it("does not count a failed-topic copy in the hours again", () => {
    expect(hourlyOn(db, "2024-01-17")[6]).toEqual({
      hour: 6,
      complete: 0,
      error: 1,
      alert: 0,
      warn: 0,
      running: 0,
    });
    expect(tasksOn(db, "2024-01-17").total).toBe(2);
  });

  it("refuses a day or a kind it does not know", () => {
    expect(() => tasksOn(db, "2024-02-30")).toThrow(InputError);
    expect(() => tasksOn(db, "15/01/2024")).toThrow(InputError);
    expect(() => hourlyOn(db, "2024-13-01")).toThrow(InputError);
    expect(() => daysWith(db, "users" as DayKind)).toThrow(InputError);
  });
});
