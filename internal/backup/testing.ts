/**
 * Test helpers for the backup module (not exported from index.ts): a SQLite file with task rows. The S3 store the
 * tests back up to is `test/helpers/s3.ts`.
 */

import Database from "better-sqlite3";

/** Opens (creating) a WAL database at `path` with a `tasks` table holding `rows` rows. */
export function taskDb(path: string, rows: number): Database.Database {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec(
    "CREATE TABLE IF NOT EXISTS tasks (id INTEGER PRIMARY KEY, topic TEXT NOT NULL, meta TEXT NOT NULL)",
  );
  addTasks(db, rows);
  return db;
}

export function addTasks(db: Database.Database, rows: number): void {
  const insert = db.prepare("INSERT INTO tasks (topic, meta) VALUES (?, ?)");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`topic-${i % 5}`, JSON.stringify({ n: i }));
  })();
}

/** Every row of `tasks` in the file at `path`, read through a fresh read-only connection. */
export function readTasks(path: string): { id: number; topic: string; meta: string }[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT id, topic, meta FROM tasks ORDER BY id").all() as {
      id: number;
      topic: string;
      meta: string;
    }[];
  } finally {
    db.close();
  }
}
