import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { alert, file, rejected, task, tempDir } from "../../test/helpers/records.ts";
import { counts, daysWith } from "./queries.ts";
import { type CacheStore, createCacheStore } from "./store.ts";

const day = 86_400_000;
const now = new Date("2024-02-01T12:00:00Z");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

function newStore(retentionMs: number): { store: CacheStore; path: string } {
  const { dir, remove } = tempDir();
  const path = join(dir, "taskmaster.db");
  const store = createCacheStore({ path, retentionMs, now: () => now });
  cleanups.push(remove, () => store.close());
  return { store, path };
}

function at(iso: string, i = 0): string {
  return new Date(Date.parse(iso) + i * 1000).toISOString();
}

describe("retention", () => {
  it("removes what is older than now − retention and keeps the calendar true", async () => {
    const { store } = newStore(10 * day); // cutoff 2024-01-22T12:00Z
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
    await store.flush();

    expect(store.recycle()).toEqual({ tasks: 2, files: 1, alerts: 1, rejected: 1, actions: 1, days: 2 });
    const db = store.database();
    if (!db) throw new Error(store.state().reason);
    expect(counts(db)).toMatchObject({ tasks: 1, files: 1, alerts: 0, rejected: 0 });
    expect(daysWith(db, "tasks")).toEqual(["2024-01-25"]);
    expect(daysWith(db, "files")).toEqual(["2024-01-22"]);
    expect(daysWith(db, "alerts")).toEqual([]);
    expect(store.recycle()).toEqual({ tasks: 0, files: 0, alerts: 0, rejected: 0, actions: 0, days: 0 });
  });

  it("keeps everything when retention is 0", async () => {
    const { store } = newStore(0);
    store.taskEmitted(task({ created: "2001-01-01T00:00:00Z" }));
    await store.flush();
    expect(store.recycle()).toEqual({ tasks: 0, files: 0, alerts: 0, rejected: 0, actions: 0, days: 0 });
  });

  it("gives the space back: the file is smaller after a recycle", async () => {
    const { store, path } = newStore(10 * day);
    const info = `?${"x".repeat(400)}`;
    for (let i = 0; i < 6000; i++)
      store.taskEmitted(task({ key: `old-${i}`, info, created: at("2024-01-01", i) }));
    for (let i = 0; i < 200; i++)
      store.taskEmitted(task({ key: `new-${i}`, info, created: at("2024-01-30", i) }));
    await store.flush();
    const db = store.database();
    if (!db) throw new Error(store.state().reason);
    db.pragma("wal_checkpoint(TRUNCATE)");
    const pagesBefore = db.pragma("page_count", { simple: true }) as number;
    const sizeBefore = statSync(path).size;

    expect(store.recycle().tasks).toBe(6000);
    const pagesAfter = db.pragma("page_count", { simple: true }) as number;
    expect(pagesAfter).toBeLessThan(pagesBefore / 10);
    expect(statSync(path).size).toBeLessThan(sizeBefore / 10);
    expect(statSync(`${path}-wal`).size).toBe(0);
    expect(counts(db).tasks).toBe(200);
  });
});
