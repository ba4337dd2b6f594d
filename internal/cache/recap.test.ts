// The recap read back from a real SQLite file: grouping by type[:job], run times of completed tasks only, data
// times per result, failed-topic copies not counted twice, and only the tasks created on the asked UTC day.
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HistoryFile, historyFile, ranFor, task, tempDir } from "../../test/helpers/records.ts";
import { InputError } from "../errors/index.ts";
import { recapOn } from "./recap.ts";

let store: HistoryFile;
let db: Database;
const folder = tempDir();

beforeAll(async () => {
  store = historyFile(join(folder.dir, "taskmaster.db"));
  // extract:daily: three completed hours (run 1 s, 2.005 s, 4.019 s), one error, one still running.
  const runs = [1000, 2005, 4019];
  runs.forEach((ms, hour) => {
    const t = task({
      key: `ok-${hour}`,
      id: `ok-${hour}`,
      created: `2024-01-15T0${hour + 3}:00:00Z`,
      dataTime: `2024-01-15T0${hour}:00:00Z`,
    });
    store.taskEmitted(t);
    store.taskDone(ranFor(t, ms));
  });
  const failing = task({
    key: "bad",
    id: "bad",
    created: "2024-01-15T09:00:00Z",
    dataTime: "2024-01-15T05:00:00Z",
  });
  store.taskEmitted(failing);
  store.taskDone(ranFor(failing, 60_000, "error"));
  // Its copy on the failed topic: the same task, not a second error.
  store.taskEmitted(
    task({
      key: "bad-copy",
      id: "bad",
      kind: "failed",
      subject: "failed",
      created: "2024-01-15T09:00:01Z",
      dataTime: "2024-01-15T05:00:00Z",
    }),
  );
  store.taskEmitted(task({ key: "running", id: "running", created: "2024-01-15T10:00:00Z" }));
  // A type with no job, whose job only the meta tells, and one with neither.
  const metaJob = task({ key: "mj", id: "mj", type: "load", job: "", meta: "job=hourly", dataTime: null });
  store.taskEmitted(metaJob);
  store.taskDone(ranFor(metaJob, 500));
  const plain = task({ key: "plain", id: "plain", type: "clean", job: "", meta: "", dataTime: null });
  store.taskEmitted(plain);
  store.taskDone(ranFor(plain, 70, "error"));
  // Another day.
  store.taskEmitted(task({ key: "next-day", id: "next-day", created: "2024-01-16T00:00:00Z" }));
  db = store.db;
});
afterAll(async () => {
  store.close();
  folder.remove();
});

describe("recapOn", () => {
  it("groups the day's tasks by type:job, sorted by key", () => {
    expect(recapOn(db, "2024-01-15").map((r) => r.key)).toEqual(["clean", "extract:daily", "load:hourly"]);
  });

  it("takes min, max and the 10 ms average from completed tasks, and lists data times per result", () => {
    const extract = recapOn(db, "2024-01-15").find((r) => r.key === "extract:daily");
    expect(extract).toEqual({
      key: "extract:daily",
      type: "extract",
      job: "daily",
      runs: 3,
      minMs: 1000,
      maxMs: 4019,
      // (100 + 200 + 401) / 3 ticks of 10 ms = 233 ticks: 2.33 s, not 2.341 s.
      avgMs: 2330,
      complete: {
        count: 3,
        times: ["2024-01-15T00:00:00.000Z", "2024-01-15T01:00:00.000Z", "2024-01-15T02:00:00.000Z"],
      },
      // The error's 60 s run is not a run time; its failed-topic copy is not a second error.
      error: { count: 1, times: ["2024-01-15T05:00:00.000Z"] },
    });
  });

  it("takes the job from the meta when the task has none, and the created time when no data time is known", () => {
    const rows = recapOn(db, "2024-01-15");
    const load = rows.find((r) => r.key === "load:hourly");
    expect(load).toMatchObject({ type: "load", job: "hourly", runs: 1, minMs: 500, maxMs: 500, avgMs: 500 });
    expect(load?.complete).toEqual({ count: 1, times: ["2024-01-15T03:04:05.000Z"] });
    const clean = rows.find((r) => r.key === "clean");
    expect(clean).toMatchObject({ job: "", runs: 0, minMs: 0, maxMs: 0, avgMs: 0 });
    expect(clean?.error.count).toBe(1);
  });

  it("is empty for a day without tasks, and refuses what is not a day", () => {
    expect(recapOn(db, "2024-01-14")).toEqual([]);
    expect(recapOn(db, "2024-01-16").map((r) => r.key)).toEqual(["extract:daily"]);
    expect(() => recapOn(db, "2024-02-30")).toThrow(InputError);
    expect(() => recapOn(db, "yesterday")).toThrow(InputError);
  });
});
