import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  alert,
  file,
  type HistoryFile,
  historyFile,
  rejected,
  task,
  tempDir,
} from "../../test/helpers/records.ts";
import { counts, daysWith } from "./queries.ts";
import { recycleBefore } from "./retention.ts";

/** Ten days' retention at 2024-02-01T12:00Z. */
const cutoff = "2024-01-22T12:00:00.000Z";
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const clean of cleanups.splice(0).reverse()) clean();
});

function newStore(): { store: HistoryFile; path: string } {
  const { dir, remove } = tempDir();
  const path = join(dir, "taskmaster.db");
  const store = historyFile(path);
  cleanups.push(remove, () => store.close());
  return { store, path };
}

function at(iso: string, i = 0): string {
  return new Date(Date.parse(iso) + i * 1000).toISOString();
}

describe("retention", () => {
  it("removes what is older than the cutoff and keeps the calendar true", () => {
    const { store } = newStore();
    store.taskEmitted(task({ key: "old", created: "2024-01-20T00:00:00Z" }));
    store.taskEmitted(task({ key: "cutoff-day", created: "2024-01-22T06:00:00Z" }));
    store.taskEmitted(task({ key: "new", created: "2024-01-25T00:00:00Z" }));
    store.fileArrived(file({ received: "2024-01-20T00:00:00Z" }));
    store.fileArrived(file({ received: "2024-01-22T18:00:00Z" }));
    store.alertRaised(alert({ created: "2024-01-21T00:00:00Z" }));
    store.messageRejected(rejected({ received: "2024-01-21T00:00:00Z" }));
    const action = { action: "retry", actor: "admin", detail: "{}", outcome: "ok", tasks: 1 };
    store.actionTaken({ ...action, at: "2024-01-21T00:00:00Z" });
    store.actionTaken({ ...action, at: "2024-01-24T00:00:00Z" });

    expect(recycleBefore(store.db, cutoff)).toEqual({
      tasks: 2,
      files: 1,
      alerts: 1,
      rejected: 1,
      actions: 1,
      days: 2,
    });
    const { db } = store;
    expect(counts(db)).toMatchObject({ tasks: 1, files: 1, alerts: 0, rejected: 0 });
    expect(daysWith(db, "tasks")).toEqual(["2024-01-25"]);
    expect(daysWith(db, "files")).toEqual(["2024-01-22"]);
    expect(daysWith(db, "alerts")).toEqual([]);
    expect(recycleBefore(store.db, cutoff)).toEqual({
      tasks: 0,
      files: 0,
      alerts: 0,
      rejected: 0,
      actions: 0,
      days: 0,
    });
  });

  it("gives the space back: the file is smaller after a recycle", () => {
    const { store, path } = newStore();
    const info = `?${"x".repeat(400)}`;
    const tasks = (prefix: string, n: number, day: string) =>
      Array.from({ length: n }, (_, i) => ({
        op: "task" as const,
        record: task({ key: `${prefix}-${i}`, info, created: at(day, i) }),
      }));
    store.write([...tasks("old", 6000, "2024-01-01"), ...tasks("new", 200, "2024-01-30")]);
    const { db } = store;
    db.pragma("wal_checkpoint(TRUNCATE)");
    const pagesBefore = db.pragma("page_count", { simple: true }) as number;
    const sizeBefore = statSync(path).size;

    expect(recycleBefore(store.db, cutoff).tasks).toBe(6000);
    const pagesAfter = db.pragma("page_count", { simple: true }) as number;
    expect(pagesAfter).toBeLessThan(pagesBefore / 10);
    expect(statSync(path).size).toBeLessThan(sizeBefore / 10);
    expect(statSync(`${path}-wal`).size).toBe(0);
    expect(counts(db).tasks).toBe(200);
  });
});
