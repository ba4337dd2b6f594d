import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/records.ts";
import { openDatabase } from "./db.ts";
import { CacheSchemaError, schemaVersion } from "./schema.ts";

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
  });

  it("refuses a file from a newer taskmaster and leaves it as it is", () => {
    const file = path();
    const db = openDatabase(file);
    db.pragma(`user_version = ${schemaVersion + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(CacheSchemaError);
    expect(() => openDatabase(file)).toThrow(`schema version ${schemaVersion + 1} is newer`);
    const again = new BetterSqlite3(file, { readonly: true });
    expect(again.pragma("user_version", { simple: true })).toBe(schemaVersion + 1);
    again.close();
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
});
