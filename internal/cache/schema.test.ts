import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { done, task, tempDir } from "../../test/helpers/records.ts";
import { createDatabaseAt, openDatabase } from "./db.ts";
import { daysWith, tasksById } from "./queries.ts";
import { schemaVersion } from "./schema.ts";
import { createCacheStore } from "./store.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

function path(): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  return join(dir, "taskmaster.db");
}

describe("schema", () => {
  it("sets up a new file: WAL, NORMAL sync, incremental auto_vacuum, a 2 MB page cache, current version", () => {
    const db = openDatabase(path());
    cleanups.push(() => {
      db.close();
    });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    expect(db.pragma("auto_vacuum", { simple: true })).toBe(2);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(db.pragma("cache_size", { simple: true })).toBe(-2000);
    expect(db.pragma("user_version", { simple: true })).toBe(schemaVersion);
    expect(schemaVersion).toBeGreaterThanOrEqual(2);
  });

  it("upgrades a version 1 file and keeps its rows", async () => {
    const file = path();
    const v1 = createDatabaseAt(file, 1);
    expect(v1.pragma("user_version", { simple: true })).toBe(1);
    const columns = (v1.prepare("PRAGMA table_info(tasks)").all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain("kind");
    const insert = v1.prepare(
      `INSERT INTO tasks (key, id, type, job, info, meta, created, result, started, ended)
       VALUES (?, 'run-1', 'extract', '', ?, ?, ?, ?, ?, ?)`,
    );
    insert.run(
      "a",
      "?a",
      "cron=2024-01-15T03&workflow=f.toml",
      "2024-01-15T03:00:01.000Z",
      "complete",
      null,
      null,
    );
    insert.run("b", "?b", "retry=1&cron=2024-01-15T03", "2024-01-15T03:05:00.000Z", "", null, null);
    insert.run("c", "?c", "retry=failed", "2024-01-16T00:00:00.000Z", "error", null, null);
    insert.run("d", "?d", "file=s3://b/x.csv", "2024-01-16T01:00:00.000Z", "", null, null);
    v1.prepare(
      "INSERT INTO alerts (kind, msg, created) VALUES ('failed', 'x', '2024-01-17T00:00:00.000Z')",
    ).run();
    v1.close();

    const store = createCacheStore({ path: file, retentionMs: 0 });
    cleanups.push(() => store.close());
    const a = task({ key: "a", id: "run-1", type: "extract", job: "", info: "?a" });
    store.taskDone(done({ ...a, created: "2024-01-15T03:00:01Z" }, { result: "warn" }));
    await store.flush();
    const db = store.database();
    if (!db) throw new Error(store.state().reason);
    expect(db.pragma("user_version", { simple: true })).toBe(schemaVersion);
    expect(tasksById(db, "run-1").map((r) => [r.key, r.kind, r.dataTime, r.result])).toEqual([
      ["a", "unknown", "2024-01-15T03:00:00.000Z", "warn"],
      ["b", "retry", "2024-01-15T03:00:00.000Z", ""],
      ["c", "failed", null, "error"],
      ["d", "file", null, ""],
    ]);
    expect(daysWith(db, "tasks")).toEqual(["2024-01-16", "2024-01-15"]);
    expect(daysWith(db, "alerts")).toEqual(["2024-01-17"]);
  });

  it("leaves a file from a newer taskmaster alone, degraded", async () => {
    const file = path();
    const db = openDatabase(file);
    db.pragma(`user_version = ${schemaVersion + 1}`);
    db.close();
    const store = createCacheStore({ path: file, retentionMs: 0, retryMs: 60_000 });
    cleanups.push(() => store.close());
    store.taskEmitted(task());
    await store.flush();
    expect(store.state()).toMatchObject({ mode: "degraded", pending: 1 });
    expect(store.state().reason).toContain(`schema version ${schemaVersion + 1} is newer`);
    expect(store.state().movedAside).toBeUndefined();
  });
});

describe("the indexes", () => {
  const planOf = (db: ReturnType<typeof openDatabase>, sql: string) =>
    (
      db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(
        ...sql
          .split("?")
          .slice(1)
          .map(() => "x"),
      ) as {
        detail: string;
      }[]
    )
      .map((p) => p.detail)
      .join(" ");

  it("finds a done's task and a day's tasks through (created, id), and keeps no index that starts with the id", () => {
    const dir = tempDir();
    const db = openDatabase(join(dir.dir, "t.db"));
    db.function("meta_retry", (_meta: unknown) => "");
    const match = planOf(
      db,
      "SELECT key FROM tasks WHERE id = ? AND type = ? AND job = ? AND info = ? AND created = ? AND meta_retry(meta) = ?",
    );
    expect(match).toContain("USING INDEX tasks_created_id (created=? AND id=?)");
    const day = planOf(db, "SELECT * FROM tasks WHERE created >= ? AND created < ? ORDER BY created");
    expect(day).toContain("USING INDEX tasks_created_id (created>? AND created<?)");
    const columns = db
      .prepare(
        "SELECT il.name AS index_name, ii.name AS column FROM sqlite_master il, pragma_index_info(il.name) ii WHERE il.type = 'index' AND ii.seqno = 0",
      )
      .all() as { index_name: string; column: string }[];
    expect(columns.filter((c) => c.column === "id")).toEqual([]);
    db.close();
    dir.remove();
  });

  it("drops the old done-match index when an older file is brought up to date", () => {
    const dir = tempDir();
    const path = join(dir.dir, "t.db");
    openDatabase(path, 4).close();
    const db = openDatabase(path);
    const names = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]
    ).map((r) => r.name);
    expect(names).toContain("tasks_created_id");
    expect(names).not.toContain("tasks_done_match");
    expect(names).not.toContain("tasks_created");
    db.close();
    dir.remove();
  });
});
