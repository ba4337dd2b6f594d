import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { takeBackup } from "./backup.ts";
import { measureBackup } from "./bench.ts";
import { BackupError } from "./errors.ts";
import { localTarget } from "./local.ts";
import { restoreNewest } from "./restore.ts";
import { openTarget } from "./target.ts";
import { addTasks, readTasks, taskDb } from "./testing.ts";
import type { BackupTarget } from "./types.ts";

let dir: string;
let db: Database.Database;
let target: BackupTarget;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "taskmaster-backup-test-"));
  db = taskDb(join(dir, "cache.db"), 100);
  target = await localTarget(join(dir, "backups"));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A clock that moves a second each call, so backups taken in one millisecond still get their own times. */
function steppingClock(start = Date.UTC(2024, 0, 31, 23, 59, 59, 123)) {
  let t = start;
  return () => {
    t += 1000;
    return new Date(t);
  };
}

const noAccess = {
  s3: { endpoint: "", region: "", accessKey: "", secretKey: "", forcePathStyle: false },
  gcs: { endpoint: "https://storage.googleapis.com", accessKey: "", secretKey: "" },
};

const stored = () => readdirSync(join(dir, "backups")).sort();

describe("local backups", () => {
  it("reads flowlord's BackupPath to a .db file as the name to use in that folder, not as a folder", async () => {
    const named = await openTarget(join(dir, "backups", "tasks.db"), noAccess);
    const result = await takeBackup({ db, target: named, keep: 3, tmpDir: dir });
    expect(result.name).toMatch(/^tasks-\d{8}T\d{9}Z\.db$/);
    expect(stored()).toEqual([result.name, `${result.name}.json`]);
    expect((await restoreNewest({ target: named, path: join(dir, "back.db"), tmpDir: dir }))?.name).toBe(
      result.name,
    );
    // Backups under another name in the same folder are not this location's.
    expect(await restoreNewest({ target, path: join(dir, "other.db"), tmpDir: dir })).toBeNull();
  });

  it("backs up a database and restores the same rows into a new path", async () => {
    const result = await takeBackup({ db, target, keep: 3, tmpDir: dir });
    expect(result.name).toMatch(/^taskmaster-\d{8}T\d{9}Z\.db$/);
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.bytes).toBeGreaterThan(0);
    expect(stored()).toEqual([result.name, `${result.name}.json`]);

    const path = join(dir, "restored", "cache.db");
    const restored = await restoreNewest({ target, path, tmpDir: dir });
    expect(restored).toEqual({ name: result.name, skipped: [] });
    expect(readTasks(path)).toEqual(readTasks(join(dir, "cache.db")));
    expect(readTasks(path)).toHaveLength(100);
    // Nothing but the restored file is left beside it, and the work folders are gone.
    expect(readdirSync(join(dir, "restored"))).toEqual(["cache.db"]);
    expect(readdirSync(dir).filter((n) => n.startsWith("taskmaster-backup-"))).toEqual([]);
  });

  it("names a backup after the time it was taken, and keeps names in time order", async () => {
    const at = new Date(Date.UTC(2024, 0, 31, 23, 59, 59, 123));
    const first = await takeBackup({ db, target, keep: 5, now: () => at });
    expect(first.name).toBe("taskmaster-20240131T235959123Z.db");
    // Same millisecond (or a clock that stepped back): the next name still sorts after.
    const second = await takeBackup({ db, target, keep: 5, now: () => at });
    expect(second.name).toBe("taskmaster-20240131T235959124Z.db");
  });

  it("keeps the newest 2 of 4 backups, with their manifests", async () => {
    const now = steppingClock();
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      addTasks(db, 1);
      names.push((await takeBackup({ db, target, keep: 2, now })).name);
    }
    const [, , third, fourth] = names;
    expect(stored()).toEqual([third, `${third}.json`, fourth, `${fourth}.json`]);
    const path = join(dir, "restored.db");
    expect((await restoreNewest({ target, path }))?.name).toBe(fourth);
    expect(readTasks(path)).toHaveLength(104);
  });

  it("removes older unverified uploads and orphan manifests when pruning, but not the new backup", async () => {
    const now = steppingClock();
    const good = await takeBackup({ db, target, keep: 2, now });
    // An upload that failed before its manifest, and a manifest whose backup is gone.
    writeFileSync(join(dir, "backups", "taskmaster-20000101T000000000Z.db"), "partial");
    writeFileSync(join(dir, "backups", "taskmaster-20000101T000000001Z.db.json"), "{}");
    writeFileSync(join(dir, "backups", "notes.txt"), "not ours");
    const next = await takeBackup({ db, target, keep: 2, now });
    expect([...next.removed].sort()).toEqual([
      "taskmaster-20000101T000000000Z.db",
      "taskmaster-20000101T000000001Z.db.json",
    ]);
    expect(stored()).toEqual(["notes.txt", good.name, `${good.name}.json`, next.name, `${next.name}.json`]);
  });

  it("skips a corrupted backup in favour of the older good one", async () => {
    const now = steppingClock();
    db.exec("DELETE FROM tasks WHERE id > 40");
    const older = await takeBackup({ db, target, keep: 5, now });
    addTasks(db, 10);
    const newer = await takeBackup({ db, target, keep: 5, now });
    const fd = openSync(join(dir, "backups", newer.name), "r+");
    writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, 4096 + 100);
    closeSync(fd);

    const skips: string[] = [];
    const path = join(dir, "restored.db");
    const restored = await restoreNewest({ target, path, onSkip: (s) => skips.push(s.name) });
    expect(restored?.name).toBe(older.name);
    expect(restored?.skipped).toEqual([{ name: newer.name, reason: expect.stringMatching(/sha256/) }]);
    expect(skips).toEqual([newer.name]);
    expect(readTasks(path)).toHaveLength(40);
  });

  it("skips a backup without a manifest, and returns null when none is usable", async () => {
    const only = await takeBackup({ db, target, keep: 1 });
    rmSync(join(dir, "backups", `${only.name}.json`));
    const path = join(dir, "restored.db");
    expect(await restoreNewest({ target, path })).toBeNull();
    expect(existsSync(path)).toBe(false);
  });

  it("returns null when there is nothing to restore, and leaves the path alone", async () => {
    const path = join(dir, "cache.db");
    const before = readTasks(path);
    expect(await restoreNewest({ target, path })).toBeNull();
    expect(readTasks(path)).toEqual(before);
  });

  it("replaces a damaged cache file and removes its stale -wal and -shm", async () => {
    await takeBackup({ db, target, keep: 1 });
    const path = join(dir, "damaged.db");
    writeFileSync(path, "garbage");
    writeFileSync(`${path}-wal`, "old wal");
    writeFileSync(`${path}-shm`, "old shm");
    expect(await restoreNewest({ target, path })).not.toBeNull();
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-shm`)).toBe(false);
    expect(readTasks(path)).toHaveLength(100);
  });

  it("refuses a keep below 1", async () => {
    await expect(takeBackup({ db, target, keep: 0 })).rejects.toThrow(BackupError);
  });

  it("takes a consistent backup while another connection writes", async () => {
    // More pages than one copy step, so the writes restart SQLite's copy (with a fixed step size, forever).
    addTasks(db, 200_000);
    expect(db.pragma("page_count", { simple: true })).toBeGreaterThan(1000);
    const before = readTasks(join(dir, "cache.db")).length;
    const writer = taskDb(join(dir, "cache.db"), 0);
    let writing = true;
    const writes = (async () => {
      while (writing) {
        addTasks(writer, 50);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      const result = await takeBackup({ db, target, keep: 1 });
      writing = false;
      await writes;
      const after = readTasks(join(dir, "cache.db")).length;
      const path = join(dir, "restored.db");
      expect((await restoreNewest({ target, path }))?.name).toBe(result.name);
      const rows = readTasks(path).length;
      expect(rows).toBeGreaterThanOrEqual(before);
      expect(rows).toBeLessThanOrEqual(after);
      expect(after).toBeGreaterThan(before);
    } finally {
      writing = false;
      await writes;
      writer.close();
    }
  });

  it("measures a backup and a restore (10 000 rows)", async () => {
    const bench = await measureBackup(10_000);
    expect(bench.rows).toBe(10_000);
    expect(bench.bytes).toBeGreaterThan(100_000);
    expect(bench.backupMs).toBeGreaterThanOrEqual(0);
    expect(bench.restoreMs).toBeGreaterThanOrEqual(0);
    expect(bench.backupMs + bench.restoreMs).toBeLessThan(10_000);
  });
});
