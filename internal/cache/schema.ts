/**
 * The schema, as the steps that build it: step N brings a database from version N−1 to N (`PRAGMA user_version`).
 * Steps are never edited once released, only added, so any older file can be brought up to date with its rows.
 * Each step runs in its own transaction together with the version bump, so a failed step leaves the old version.
 */
import type { Database } from "better-sqlite3";
import { utc } from "./time.ts";

export type Migration = (db: Database) => void;

/** The first schema: tasks without their kind or data time, and no calendar of days. */
const step1: Migration = (db) => {
  db.exec(`
    CREATE TABLE tasks (
      key TEXT PRIMARY KEY, id TEXT NOT NULL DEFAULT '', type TEXT NOT NULL, job TEXT NOT NULL DEFAULT '',
      info TEXT NOT NULL DEFAULT '', meta TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '',
      workflow TEXT NOT NULL DEFAULT '', phase TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, published TEXT,
      result TEXT NOT NULL DEFAULT '', msg TEXT NOT NULL DEFAULT '', started TEXT, ended TEXT, done TEXT);
    CREATE INDEX tasks_created ON tasks(created);
    CREATE INDEX tasks_type_job ON tasks(type, job);
    CREATE INDEX tasks_id ON tasks(id);
    CREATE INDEX tasks_done_match ON tasks(id, type, job, info, created);

    CREATE TABLE files (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0, modified TEXT,
      checksum TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, format TEXT NOT NULL DEFAULT '',
      status TEXT NOT NULL, data_time TEXT, task_ids TEXT NOT NULL DEFAULT '[]',
      task_names TEXT NOT NULL DEFAULT '[]', reason TEXT NOT NULL DEFAULT '', received TEXT NOT NULL);
    CREATE INDEX files_received ON files(received);
    CREATE INDEX files_path ON files(path);

    CREATE TABLE alerts (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, task_id TEXT NOT NULL DEFAULT '',
      task_type TEXT NOT NULL DEFAULT '', job TEXT NOT NULL DEFAULT '', info TEXT NOT NULL DEFAULT '',
      msg TEXT NOT NULL, data_time TEXT, created TEXT NOT NULL);
    CREATE INDEX alerts_created ON alerts(created);

    CREATE TABLE rejected (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, reason TEXT NOT NULL, data TEXT NOT NULL,
      received TEXT NOT NULL);
    CREATE INDEX rejected_received ON rejected(received);

    CREATE TABLE phases (
      workflow TEXT NOT NULL, phase TEXT NOT NULL, topic TEXT NOT NULL, job TEXT NOT NULL DEFAULT '',
      depends_on TEXT NOT NULL DEFAULT '', rule TEXT NOT NULL DEFAULT '', template TEXT NOT NULL DEFAULT '',
      retry INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, problems TEXT NOT NULL DEFAULT '[]',
      loaded TEXT NOT NULL, PRIMARY KEY (workflow, phase));
  `);
};

/**
 * Tasks gain `kind` and `data_time` (the table is rebuilt so that `kind` is NOT NULL without a default, as in a new
 * file), and the `days` calendar appears. Old rows get what can be told from their meta: `retry=` marks a retry
 * (`retry=failed` the failed copy), `file=` a file-triggered task, `cron=` the data time; the rest are "unknown".
 */
const step2: Migration = (db) => {
  db.exec(`
    CREATE TABLE tasks_v2 (
      key TEXT PRIMARY KEY, id TEXT NOT NULL DEFAULT '', type TEXT NOT NULL, job TEXT NOT NULL DEFAULT '',
      info TEXT NOT NULL DEFAULT '', meta TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL,
      subject TEXT NOT NULL DEFAULT '', workflow TEXT NOT NULL DEFAULT '', phase TEXT NOT NULL DEFAULT '',
      created TEXT NOT NULL, published TEXT, data_time TEXT, result TEXT NOT NULL DEFAULT '',
      msg TEXT NOT NULL DEFAULT '', started TEXT, ended TEXT, done TEXT);
    INSERT INTO tasks_v2 (key, id, type, job, info, meta, kind, subject, workflow, phase, created, published,
        result, msg, started, ended, done)
      SELECT key, id, type, job, info, meta,
        CASE WHEN '&' || meta || '&' LIKE '%&retry=failed&%' THEN 'failed'
             WHEN '&' || meta || '&' LIKE '%&retry=%' THEN 'retry'
             WHEN '&' || meta || '&' LIKE '%&file=%' THEN 'file'
             ELSE 'unknown' END,
        subject, workflow, phase, created, published, result, msg, started, ended, done
      FROM tasks;
    DROP TABLE tasks;
    ALTER TABLE tasks_v2 RENAME TO tasks;
    CREATE INDEX tasks_created ON tasks(created);
    CREATE INDEX tasks_type_job ON tasks(type, job);
    CREATE INDEX tasks_id ON tasks(id);
    CREATE INDEX tasks_done_match ON tasks(id, type, job, info, created);

    CREATE TABLE days (
      date TEXT PRIMARY KEY, tasks INTEGER NOT NULL DEFAULT 0, files INTEGER NOT NULL DEFAULT 0,
      alerts INTEGER NOT NULL DEFAULT 0);
    -- "WHERE true" lets SQLite read the ON CONFLICT as the upsert's, not as a join constraint.
    INSERT INTO days (date, tasks) SELECT DISTINCT substr(created, 1, 10), 1 FROM tasks WHERE true
      ON CONFLICT (date) DO UPDATE SET tasks = 1;
    INSERT INTO days (date, files) SELECT DISTINCT substr(received, 1, 10), 1 FROM files WHERE true
      ON CONFLICT (date) DO UPDATE SET files = 1;
    INSERT INTO days (date, alerts) SELECT DISTINCT substr(created, 1, 10), 1 FROM alerts WHERE true
      ON CONFLICT (date) DO UPDATE SET alerts = 1;
  `);
  const withCron = db.prepare("SELECT key, meta FROM tasks WHERE meta LIKE '%cron=%'").all() as {
    key: string;
    meta: string;
  }[];
  const setTime = db.prepare("UPDATE tasks SET data_time = ? WHERE key = ?");
  for (const row of withCron) {
    const time = cronTime(new URLSearchParams(row.meta).get("cron"));
    if (time) setTime.run(time, row.key);
  }
};

/** The audit trail of people's actions (retry, rerun, backload, launch, reload). */
const step3: Migration = (db) => {
  db.exec(`
    CREATE TABLE actions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, actor TEXT NOT NULL,
      detail TEXT NOT NULL DEFAULT '{}', outcome TEXT NOT NULL, tasks INTEGER NOT NULL DEFAULT 0,
      at TEXT NOT NULL);
    CREATE INDEX actions_at ON actions(at);
  `);
};

/**
 * `tasks_id` goes: `tasks_done_match` (id, type, job, info, created) starts with the id and serves every lookup by
 * id, and one index fewer to keep up is about 5 % more tasks written a second.
 */
const step4: Migration = (db) => {
  db.exec("DROP INDEX IF EXISTS tasks_id");
};

/**
 * A task's index follows time: (created, id) replaces `tasks_done_match` (id, type, job, info, created) and
 * `tasks_created`. Task ids are random, so an index that starts with the id takes every new row to a random page,
 * and each commit wrote most of that index again; a done always carries its task's `created`, and new tasks are
 * created now, so this index grows at its end. Measured on 100 000 tasks and their dones: 34 to 24 µs of CPU a task.
 * A lookup by id alone (a run's tasks) reads the table instead: about 30 ms per 300 000 tasks.
 */
const step5: Migration = (db) => {
  db.exec(`
    DROP INDEX IF EXISTS tasks_done_match;
    DROP INDEX IF EXISTS tasks_created;
    CREATE INDEX tasks_created_id ON tasks(created, id);
  `);
};

/** Every step, in order; the schema version of a database built by this code is their count. */
export const migrations: readonly Migration[] = [step1, step2, step3, step4, step5];
export const schemaVersion = migrations.length;

/** The database was written by a newer taskmaster: its schema is unknown here, so it is left alone. */
export class CacheSchemaError extends Error {
  override readonly name = "CacheSchemaError";
}

/** Brings `db` to `target` (the current version unless a test asks for an older one). */
export function migrate(db: Database, target: number = schemaVersion): void {
  const from = db.pragma("user_version", { simple: true }) as number;
  if (from > migrations.length) {
    throw new CacheSchemaError(
      `schema version ${from} is newer than this taskmaster knows (${schemaVersion})`,
    );
  }
  for (let version = from + 1; version <= target; version++) {
    const step = migrations[version - 1];
    if (!step) break;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${version}`);
    })();
  }
}

/** The `cron` meta value (`2024-01-15T03`, hour precision in flowlord) as a stored time. */
function cronTime(value: string | null): string | null {
  if (!value) return null;
  const hourOnly = /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(value);
  const time = utc(hourOnly ? `${value}:00:00Z` : value);
  return time && /^\d{4}-\d{2}-\d{2}T/.test(time) ? time : null;
}
