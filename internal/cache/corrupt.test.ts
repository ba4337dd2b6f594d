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
import { historyFile, task, tempDir } from "../../test/helpers/records.ts";
import { openDatabase, probeCacheFile } from "./db.ts";
import { type OpenCacheOptions, openCache } from "./open.ts";
import { counts } from "./queries.ts";

const now = new Date("2024-01-15T03:04:05.678Z");
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const clean of cleanups.splice(0).reverse()) clean();
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

async function open(path: string, options: Partial<OpenCacheOptions> = {}) {
  const opened = await openCache({ path, now: () => now, ...options });
  cleanups.push(() => opened.db.close());
  return opened;
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

  it("probes a file the follower has open, with rows still in its WAL", () => {
    const { path } = folder();
    const history = historyFile(path);
    cleanups.push(() => history.close());
    history.taskEmitted(task());
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(probeCacheFile(path)).toBe("ok");
    history.taskEmitted(task({ key: "after-probe" }));
    expect(counts(history.db).tasks).toBe(2);
  });

  it("moves a file with a garbage header aside, keeps it, and starts a fresh one", async () => {
    const { dir, path } = folder();
    realDatabase(path, 10);
    overwrite(path, 0, 100);
    const garbage = readFileSync(path);
    const { db, movedAside } = await open(path);

    expect(movedAside).toBe(aside(path));
    expect(readFileSync(aside(path)).equals(garbage)).toBe(true);
    expect(counts(db).tasks).toBe(0);
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
    const { db, movedAside } = await open(path);
    expect(movedAside).toBe(aside(path));
    expect(existsSync(aside(path))).toBe(true);
    expect(counts(db).tasks).toBe(0);
  });

  it("lets beforeOpen restore a backup in place of the corrupt file", async () => {
    const { dir, path } = folder();
    const backup = join(dir, "backup.db");
    realDatabase(backup, 5);
    realDatabase(path, 10);
    overwrite(path, 0, 100);
    const calls: string[] = [];
    const { db, movedAside } = await open(path, {
      beforeOpen: (p) => {
        calls.push(p);
        copyFileSync(backup, p);
      },
    });
    expect(calls).toEqual([path]);
    expect(movedAside).toBe(aside(path));
    expect(counts(db).tasks).toBe(5);
  });

  it("does not call beforeOpen for a sound file, and goes on when it throws", async () => {
    const { path } = folder();
    const first = await open(path, {
      beforeOpen: () => {
        throw new Error("no backup reachable");
      },
    });
    expect((first.hookError as Error).message).toBe("no backup reachable");
    first.db
      .prepare("INSERT INTO tasks (key, type, kind, info, created) VALUES ('k', 't', 'cron', '', '')")
      .run();
    first.db.close();

    const calls: string[] = [];
    const again = await open(path, { beforeOpen: (p) => void calls.push(p) });
    expect(calls).toEqual([]);
    expect(counts(again.db).tasks).toBe(1);
  });

  it("sets aside a file a query found corrupt, without trusting a new check", async () => {
    const { path } = folder();
    realDatabase(path, 20);
    const { db, movedAside } = await open(path, { knownCorrupt: true });
    expect(movedAside).toBe(aside(path));
    expect(counts(db).tasks).toBe(0);
    expect(probeCacheFile(aside(path))).toBe("ok");
  });
});
