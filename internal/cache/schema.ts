/**
 * The schema, as the steps that build it: step N brings a database from version N−1 to N (`PRAGMA user_version`).
 * Steps are never edited once released, only added, so any older file can be brought up to date with its rows.
 * Each step runs in its own transaction together with the version bump, so a failed step leaves the old version.
 */
import type { Database } from "better-sqlite3";

export type Migration = (db: Database) => void;

/**
 * Tasks, files, alerts, rejected messages, the loaded phases, the calendar of days that have any, the audit trail of
 * people's actions (retry, rerun, backload, launch, reload), and the position of the history in each stream it is
 * projected from (the last sequence written, and the messages the stream dropped before they were read).
 *
 * A task's index follows time, (created, id): a done always carries its task's `created`, and new tasks are created
 * now, so the index grows at its end. Task ids are random, so an index that started with the id would take every
 * new row to a random page and each commit would write most of that index again: measured on 100 000 tasks and
 * their dones, 34 µs of CPU a task with (id, type, job, info, created) against 24 µs with (created, id). A lookup by
 * id alone (a run's tasks) reads the table instead: about 30 ms per 300 000 tasks.
 */
const step1: Migration = (db) => {
  db.exec(`
    CREATE TABLE tasks (
      key TEXT PRIMARY KEY, id TEXT NOT NULL DEFAULT '', type TEXT NOT NULL, job TEXT NOT NULL DEFAULT '',
      info TEXT NOT NULL DEFAULT '', meta TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL,
      subject TEXT NOT NULL DEFAULT '', workflow TEXT NOT NULL DEFAULT '', phase TEXT NOT NULL DEFAULT '',
      created TEXT NOT NULL, published TEXT, data_time TEXT, result TEXT NOT NULL DEFAULT '',
      msg TEXT NOT NULL DEFAULT '', started TEXT, ended TEXT, done TEXT);
    CREATE INDEX tasks_type_job ON tasks(type, job);
    CREATE INDEX tasks_created_id ON tasks(created, id);

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

    CREATE TABLE days (
      date TEXT PRIMARY KEY, tasks INTEGER NOT NULL DEFAULT 0, files INTEGER NOT NULL DEFAULT 0,
      alerts INTEGER NOT NULL DEFAULT 0);

    CREATE TABLE actions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, actor TEXT NOT NULL,
      detail TEXT NOT NULL DEFAULT '{}', outcome TEXT NOT NULL, tasks INTEGER NOT NULL DEFAULT 0,
      at TEXT NOT NULL);
    CREATE INDEX actions_at ON actions(at);

    CREATE TABLE positions (
      stream TEXT PRIMARY KEY, seq INTEGER NOT NULL, lost INTEGER NOT NULL DEFAULT 0);
  `);
};

/** Every step, in order; the schema version of a database built by this code is their count. */
export const migrations: readonly Migration[] = [step1];
export const schemaVersion = migrations.length;

/** The database was written by a newer taskmaster: its schema is unknown here, so it is left alone. */
export class CacheSchemaError extends Error {
  override readonly name = "CacheSchemaError";
}

/** Brings `db` to the current version, one step at a time. */
export function migrate(db: Database): void {
  const from = db.pragma("user_version", { simple: true }) as number;
  if (from > migrations.length) {
    throw new CacheSchemaError(
      `schema version ${from} is newer than this taskmaster knows (${schemaVersion})`,
    );
  }
  for (let version = from + 1; version <= schemaVersion; version++) {
    const step = migrations[version - 1];
    if (!step) break;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
