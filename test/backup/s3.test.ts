import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { takeBackup } from "../../internal/backup/backup.ts";
import { restoreNewest } from "../../internal/backup/restore.ts";
import { s3Target } from "../../internal/backup/s3.ts";
import { startBackups } from "../../internal/backup/schedule.ts";
import { openTarget } from "../../internal/backup/target.ts";
import { readTasks, taskDb } from "../../internal/backup/testing.ts";
import type { BackupEvent, BackupTarget } from "../../internal/backup/types.ts";
import { type FakeS3, startFakeS3 } from "../helpers/s3.ts";
import { waitFor } from "../helpers/wait.ts";

let root: string;
let s3: FakeS3;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "taskmaster-backup-s3-"));
  s3 = await startFakeS3(join(root, "s3rver"), "backups");
});
afterAll(async () => {
  await s3.stop();
  rmSync(root, { recursive: true, force: true });
});

let dir: string;
let db: Database.Database;
let target: BackupTarget;
/** A prefix per test, so each test sees only its own backups in the shared bucket. */
let testNumber = 0;
beforeEach(async () => {
  testNumber += 1;
  dir = mkdtempSync(join(root, "test-"));
  db = taskDb(join(dir, "cache.db"), 50);
  target = await openTarget(`s3://backups/cache/t${testNumber}`, s3.access);
});
afterEach(() => {
  target.close?.();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A clock that moves a second each call, so every backup gets its own time. */
function steppingClock() {
  let t = Date.UTC(2024, 5, 1);
  return () => {
    t += 1000;
    return new Date(t);
  };
}

describe("S3 backups (s3rver)", () => {
  it("backs up, lists, prunes and restores through the real S3 client", async () => {
    expect(target.describe).toBe(`s3://backups/cache/t${testNumber}/`);
    const now = steppingClock();
    const taken: string[] = [];
    for (let i = 0; i < 3; i++)
      taken.push((await takeBackup({ db, target, keep: 2, now, tmpDir: dir })).name);
    const listed = (await target.list()).map((o) => o.name).sort();
    const [, second, third] = taken;
    expect(listed).toEqual([second, `${second}.json`, third, `${third}.json`]);

    // The cache file is lost: restore brings the newest back.
    const path = join(dir, "cache.db");
    const rows = readTasks(path);
    db.close();
    rmSync(path);
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    expect((await restoreNewest({ target, path, tmpDir: dir }))?.name).toBe(third);
    expect(readTasks(path)).toEqual(rows);

    // The cache file is damaged (the caller decided not to trust it): restore puts a good file in its place.
    writeFileSync(path, "not a database at all");
    expect((await restoreNewest({ target, path, tmpDir: dir }))?.name).toBe(third);
    expect(readTasks(path)).toEqual(rows);
    expect(readdirSync(dir).sort()).toEqual(["cache.db"]);
    db = taskDb(path, 0);
  });

  it("lists only the files directly under the prefix, with their sizes, and removes idempotently", async () => {
    const file = join(dir, "small.txt");
    writeFileSync(file, "12345");
    const nested = await s3Target(
      { kind: "s3", bucket: "backups", prefix: `cache/t${testNumber}/sub/` },
      s3.access,
    );
    try {
      for (const name of ["a", "b", "c"]) await target.put(name, file);
      await nested.put("deeper", file);
      expect((await target.list()).sort((x, y) => x.name.localeCompare(y.name))).toEqual([
        { name: "a", size: 5 },
        { name: "b", size: 5 },
        { name: "c", size: 5 },
      ]);
      await target.remove("b");
      await target.remove("b");
      expect((await target.list()).map((o) => o.name).sort()).toEqual(["a", "c"]);
      await expect(target.put("x/y", file)).rejects.toThrow(/not a plain file name/);
    } finally {
      nested.close?.();
    }
  });

  // GCS's XML API is the S3 API: s3rver answers for it, reached by the gs:// settings (cache.gcs.*).
  it("backs up to flowlord's gs://bucket/tasks.db form: in that folder, named after the file, and restores", async () => {
    const gs = await openTarget(`gs://backups/flowlord${testNumber}/tasks.db`, s3.access);
    try {
      expect(gs.describe).toBe(`gs://backups/flowlord${testNumber}/`);
      const now = steppingClock();
      const first = await takeBackup({ db, target: gs, keep: 1, now, tmpDir: dir });
      const second = await takeBackup({ db, target: gs, keep: 1, now, tmpDir: dir });
      expect(second.name).toMatch(/^tasks-\d{8}T\d{9}Z\.db$/);
      expect(second.removed).toEqual([first.name]);
      expect((await gs.list()).map((o) => o.name).sort()).toEqual([second.name, `${second.name}.json`]);
      const restored = join(dir, "restored.db");
      expect((await restoreNewest({ target: gs, path: restored, tmpDir: dir }))?.name).toBe(second.name);
      expect(readTasks(restored)).toEqual(readTasks(join(dir, "cache.db")));
    } finally {
      gs.close?.();
    }
  });

  it("returns null when the prefix holds no backup", async () => {
    expect(await restoreNewest({ target, path: join(dir, "restored.db") })).toBeNull();
  });

  it("retries a backup while S3 is down, and succeeds once it is back on the same port", async () => {
    const events: BackupEvent[] = [];
    const schedule = startBackups({
      intervalMs: 60_000,
      run: () => takeBackup({ db, target, keep: 2, tmpDir: dir }),
      onEvent: (event) => events.push(event),
      retry: { firstMs: 20, maxMs: 100 },
    });
    try {
      await s3.stop();
      await expect(schedule.runNow()).rejects.toThrow(/could not list the backups in s3:\/\/backups/);
      await waitFor(() => events.filter((e) => e.type === "backupFailed").length >= 2, {
        message: "two failed attempts",
        timeoutMs: 10_000,
      });
      await s3.start();
      await waitFor(() => events.some((e) => e.type === "backupTaken"), {
        message: "a backup after S3 came back",
        timeoutMs: 10_000,
      });
      const failed = events.filter((e) => e.type === "backupFailed");
      expect(failed[0]).toMatchObject({ attempt: 1, willRetryInMs: 20 });
      expect(failed[1]).toMatchObject({ attempt: 2, willRetryInMs: 40 });
      expect(await target.list()).toHaveLength(2);
    } finally {
      await s3.start();
      await schedule.stop({ final: false });
    }
  });
});
