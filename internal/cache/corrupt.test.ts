import {
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { task, tempDir } from "../../test/helpers/records.ts";
import { openDatabase, probeCacheFile } from "./db.ts";
import { counts, tasksOn } from "./queries.ts";
import { type CacheStoreOptions, createCacheStore } from "./store.ts";
import type { CacheState } from "./types.ts";

const now = new Date("2024-01-15T03:04:05.678Z");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

function folder(): { dir: string; path: string } {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  return { dir, path: join(dir, "taskmaster.db") };
}

/** A real database with `rows` tasks, closed cleanly (no -wal left). */
function realDatabase(path: string, rows: number): void {
  const db = openDatabase(path);
  const insert = db.prepare(
    "INSERT INTO tasks (key, type, kind, info, created) VALUES (?, 't', 'cron', ?, ?)",
  );
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`k${i}`, "x".repeat(300), "2024-01-14T00:00:00.000Z");
  })();
  db.close();
}

function overwrite(path: string, offset: number, length: number): void {
  const fd = openSync(path, "r+");
  writeSync(fd, Buffer.alloc(length, 0x41), 0, length, offset);
  closeSync(fd);
}

function open(path: string, options: Partial<CacheStoreOptions> = {}) {
  const states: CacheState[] = [];
  const store = createCacheStore({
    path,
    retentionMs: 0,
    now: () => now,
    onState: (s) => states.push(s),
    ...options,
  });
  cleanups.push(() => store.close());
  return { store, states };
}

const aside = (path: string) => `${path}.corrupt-20240115T030405.678Z`;

describe("corruption", () => {
  it("probes a file without changing it", () => {
    const { path } = folder();
    expect(probeCacheFile(path)).toBe("missing");
    writeFileSync(path, "");
    expect(probeCacheFile(path)).toBe("empty");
    realDatabase(path, 10);
    expect(probeCacheFile(path)).toBe("ok");
    overwrite(path, 0, 100);
    expect(probeCacheFile(path)).toBe("corrupt");
  });

  it("probes a file a store has open, with rows still in its WAL", async () => {
    const { path } = folder();
    const { store } = open(path);
    store.taskEmitted(task());
    await store.flush();
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(probeCacheFile(path)).toBe("ok");
    store.taskEmitted(task({ key: "after-probe" }));
    await store.flush();
    expect(store.state()).toMatchObject({ mode: "ok", pending: 0 });
    expect(counts(store.database() ?? fail()).tasks).toBe(2);
  });

  it("moves a file with a garbage header aside, keeps it, and starts a fresh one", async () => {
    const { dir, path } = folder();
    realDatabase(path, 10);
    overwrite(path, 0, 100);
    const garbage = readFileSync(path);
    const { store, states } = open(path);
    store.taskEmitted(task());
    await store.flush();

    expect(readFileSync(aside(path)).equals(garbage)).toBe(true);
    expect(store.state()).toMatchObject({ mode: "ok", movedAside: aside(path), pending: 0 });
    expect(states).toMatchObject([{ mode: "ok", movedAside: aside(path) }]);
    const db = store.database();
    if (!db) throw new Error(store.state().reason);
    expect(counts(db).tasks).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([
      "taskmaster.db",
      "taskmaster.db-shm",
      "taskmaster.db-wal",
      aside("taskmaster.db"),
    ]);
  });

  it("moves a file with a bad page aside", async () => {
    const { path } = folder();
    realDatabase(path, 2000);
    overwrite(path, 4096 * 40, 4096);
    expect(probeCacheFile(path)).toBe("corrupt");
    const { store } = open(path);
    store.taskEmitted(task());
    await store.flush();
    expect(store.state()).toMatchObject({ mode: "ok", movedAside: aside(path), pending: 0 });
    expect(existsSync(aside(path))).toBe(true);
    expect(counts(store.database() ?? fail()).tasks).toBe(1);
  });

  it("lets beforeOpen restore a backup in place of the corrupt file", async () => {
    const { dir, path } = folder();
    const backup = join(dir, "backup.db");
    realDatabase(backup, 5);
    realDatabase(path, 10);
    overwrite(path, 0, 100);
    const calls: string[] = [];
    const { store } = open(path, {
      beforeOpen: (p) => {
        calls.push(p);
        copyFileSync(backup, p);
      },
    });
    store.taskEmitted(task({ key: "after-restore" }));
    await store.flush();
    expect(calls).toEqual([path]);
    expect(store.state().movedAside).toBe(aside(path));
    expect(counts(store.database() ?? fail()).tasks).toBe(6);
  });

  it("does not call beforeOpen for a sound file, and goes on when it throws", async () => {
    const { path } = folder();
    const { store } = open(path, {
      beforeOpen: () => {
        throw new Error("no backup reachable");
      },
    });
    store.taskEmitted(task());
    await store.flush();
    expect(store.state()).toMatchObject({ mode: "ok", lastError: "beforeOpen: no backup reachable" });
    await store.close();

    const again = open(path, { beforeOpen: () => fail() });
    await again.store.flush();
    expect(counts(again.store.database() ?? fail()).tasks).toBe(1);
  });

  it("moves the file aside when a write finds it corrupt, and writes the batch into a fresh one", async () => {
    const { path } = folder();
    realDatabase(path, 2000);
    const { store } = open(path);
    await store.flush();
    const db = store.database() ?? fail();
    expect(db.pragma("quick_check", { simple: true })).toBe("ok");
    // Break the index pages the next inserts touch, and drop the connection's cached copies of them.
    const pages = db.pragma("page_count", { simple: true }) as number;
    for (let page = 1; page < pages; page++) overwrite(path, 4096 * page, 8);
    db.pragma("shrink_memory");
    for (let i = 0; i < 3; i++) store.taskEmitted(task({ key: `new-${i}` }));
    await store.flush();

    expect(store.state()).toMatchObject({ mode: "ok", movedAside: aside(path), pending: 0 });
    const fresh = store.database() ?? fail();
    expect(tasksOn(fresh, "2024-01-15").rows.map((r) => r.key)).toEqual(["new-2", "new-1", "new-0"]);
    expect(existsSync(aside(path))).toBe(true);
  });
});

function fail(): never {
  throw new Error("no database");
}
