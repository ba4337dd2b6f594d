/**
 * The database file: opening it with the settings the cache relies on, checking it is sound before anything trusts
 * it, and setting a bad one aside. A corrupt header only shows on the first query (SQLITE_NOTADB) and a bad page only
 * when it is read (SQLITE_CORRUPT), so every open runs `quick_check` and turns either into `CacheCorruptError`.
 */
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Database } from "better-sqlite3";
import BetterSqlite3 from "better-sqlite3";
import { CacheCorruptError, classify, errorText, FailureKind } from "./failure.ts";
import { migrate } from "./schema.ts";
import { fileStamp } from "./time.ts";

/** Waiting this long for another connection's lock (the backup's) beats failing a write. */
const busyTimeoutMs = 5000;

/**
 * Opens (creating it and its folder when missing) and migrates the database at `path`. Throws `CacheCorruptError`
 * when the file is not a sound database, and SQLite's or the file system's error when it cannot be opened or written.
 */
export function openDatabase(path: string): Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  try {
    configure(db, path);
    migrate(db);
    // Prove the file can be written now (a read-only fallback open only fails at the first write).
    db.pragma(`user_version = ${db.pragma("user_version", { simple: true }) as number}`);
    return db;
  } catch (err) {
    db.close();
    if (classify(err).kind === FailureKind.corrupt && !(err instanceof CacheCorruptError)) {
      throw new CacheCorruptError(path, errorText(err), { cause: err });
    }
    throw err;
  }
}

function configure(db: Database, path: string): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const isNew = (db.prepare("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number }).n === 0;
  // auto_vacuum only takes effect before the first table exists; it lets retention give space back.
  if (isNew) db.pragma("auto_vacuum = INCREMENTAL");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  // better-sqlite3 builds SQLite with a 16 MB page cache a connection, which the writer's fills and keeps: about
  // 19 MiB of the service's RSS. With 2 MB, writing 100 000 tasks after 300 000 or 1 000 000 costs the same CPU
  // (the pages come from the OS's cache), and RSS with 100 000 tasks in flight is 20 MiB lower.
  db.pragma("cache_size = -2000");
  const check = db.pragma("quick_check", { simple: false }) as { quick_check: string }[];
  const problems = check.map((row) => row.quick_check).filter((text) => text !== "ok");
  if (problems.length > 0) throw new CacheCorruptError(path, problems.slice(0, 3).join("; "));
}

export type CacheFileState = "missing" | "empty" | "ok" | "corrupt";

/**
 * What is at `path`, without changing it, so the service can decide to restore a backup before opening. A file that
 * cannot be read for another reason (permissions, a read-only mount without its `-shm`) counts as "ok": it is there
 * and not known to be bad, so nothing should overwrite it; opening it will say what is wrong.
 */
export function probeCacheFile(path: string): CacheFileState {
  if (!existsSync(path)) return "missing";
  if (statSync(path).size === 0) return "empty";
  let db: Database | undefined;
  try {
    db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
    const check = db.pragma("quick_check", { simple: false }) as { quick_check: string }[];
    return check.every((row) => row.quick_check === "ok") ? "ok" : "corrupt";
  } catch (err) {
    return classify(err).kind === FailureKind.corrupt ? "corrupt" : "ok";
  } finally {
    db?.close();
  }
}

/**
 * Renames the file and its `-wal`/`-shm` to `<path>.corrupt-<UTC stamp>` (with `-2`, `-3` ... if taken), so they
 * stay together for whoever looks into them; never deletes. Returns the new name of the database file.
 */
export function moveCacheAside(path: string, at: Date): string {
  const base = `${path}.corrupt-${fileStamp(at)}`;
  let aside = base;
  for (let n = 2; existsSync(aside) || existsSync(`${aside}-wal`); n++) aside = `${base}-${n}`;
  for (const suffix of ["", "-wal", "-shm", "-journal"]) {
    if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
  }
  return aside;
}
