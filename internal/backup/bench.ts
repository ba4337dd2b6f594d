/**
 * How long a backup and a restore of a cache of `rows` small task rows take, on a local target in a temp folder.
 * Called by the project's `make bench`; not a test (a million rows take seconds to write).
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { takeBackup } from "./backup.ts";
import { localTarget } from "./local.ts";
import { restoreNewest } from "./restore.ts";
import { workDir } from "./verify.ts";

export interface BackupBench {
  readonly rows: number;
  /** Size of the backup file. */
  readonly bytes: number;
  readonly backupMs: number;
  readonly restoreMs: number;
}

/** Rows inserted per transaction while the cache is filled. */
const batchRows = 50_000;

export async function measureBackup(rows: number): Promise<BackupBench> {
  const work = await workDir();
  const db = new Database(join(work.path, "cache.db"));
  try {
    db.pragma("journal_mode = WAL");
    fillTasks(db, rows);
    const target = await localTarget(join(work.path, "backups"));
    const backup = await takeBackup({ db, target, keep: 1, tmpDir: work.path });
    const started = performance.now();
    const restored = await restoreNewest({ target, path: join(work.path, "restored.db"), tmpDir: work.path });
    const restoreMs = Math.round(performance.now() - started);
    if (restored === null) throw new Error(`the backup ${backup.name} could not be restored`);
    return { rows, bytes: backup.bytes, backupMs: backup.ms, restoreMs };
  } finally {
    db.close();
    await work.dispose();
  }
}

/** A cache-like table: an id, a topic, a state, a small JSON meta and two times per task. */
function fillTasks(db: Database.Database, rows: number): void {
  db.exec(`CREATE TABLE tasks (
    id TEXT PRIMARY KEY, topic TEXT NOT NULL, result TEXT NOT NULL, meta TEXT NOT NULL,
    created INTEGER NOT NULL, ended INTEGER
  )`);
  const insert = db.prepare("INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?)");
  const insertBatch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const created = 1_700_000_000_000 + i * 1000;
      insert.run(
        `task-${i}`,
        `topic-${i % 20}`,
        i % 10 === 0 ? "error" : "complete",
        `{"job":"j${i % 7}"}`,
        created,
        created + 500,
      );
    }
  });
  for (let from = 0; from < rows; from += batchRows) insertBatch(from, Math.min(rows, from + batchRows));
}
