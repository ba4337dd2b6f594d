import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { burstDone } from "../../test/helpers/records.ts";
import { waitFor } from "../../test/helpers/wait.ts";
import { type Spooled, SpoolReader, SpoolWriter, spoolDir } from "./spool.ts";
import { startThreadedCache } from "./thread.ts";

const made: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "taskmaster-spool-"));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A batch's text of 60 characters, 63 bytes in UTF-8. */
const batchText = (i: number) => `batch ${i} → café `.padEnd(60, "x");
const batch = (i: number) => Buffer.from(batchText(i));

function spooled(at: Spooled | null): Spooled {
  if (!at) throw new Error("the batch was not spooled");
  return at;
}

describe("the spool", () => {
  it("hands batches to the reader in order, across segments, and deletes each segment once past it", () => {
    const root = join(tempDir(), "cache.db.spool");
    const dir = join(root, String(process.pid));
    const spool = new SpoolWriter(root, 100);
    const reader = new SpoolReader();
    const at = [0, 1, 2, 3, 4].map((i) => spooled(spool.append(batch(i))));
    // Two batches of 63 bytes fill a segment of 100: five batches take three segment files.
    expect(readdirSync(dir)).toEqual(["00000001.batch", "00000002.batch", "00000003.batch"]);
    expect(reader.read(at[0] as Spooled).toString()).toBe(batchText(0));
    expect(reader.read(at[1] as Spooled).toString()).toBe(batchText(1));
    expect(reader.read(at[2] as Spooled).toString()).toBe(batchText(2));
    expect(readdirSync(dir)).toEqual(["00000002.batch", "00000003.batch"]);
    expect(reader.read(at[4] as Spooled).toString()).toBe(batchText(4));
    expect(readdirSync(dir)).toEqual(["00000003.batch"]);
    reader.finish();
    expect(readdirSync(dir)).toEqual([]);
    spool.close();
    expect(existsSync(root)).toBe(false);
  });

  it("clears what a process that is gone left, and leaves a running process's spool alone", () => {
    const root = join(tempDir(), "cache.db.spool");
    const gone = join(root, String(2 ** 22 + 7)); // above Linux's largest pid
    const living = join(root, String(process.ppid));
    for (const dir of [gone, living]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "00000007.batch"), "a batch");
    }
    writeFileSync(join(root, "stray"), "not a spool");
    const spool = new SpoolWriter(root);
    expect(readdirSync(root).sort()).toEqual([String(process.pid), String(process.ppid)].sort());
    expect(readdirSync(living)).toEqual(["00000007.batch"]);
    spool.close();
    expect(readdirSync(root)).toEqual([String(process.ppid)]);
  });

  it("says when a batch cannot be spooled, and spools again once it can", () => {
    const root = join(tempDir(), "cache.db.spool");
    const dir = join(root, String(process.pid));
    const spool = new SpoolWriter(root, 10);
    expect(spool.append(batch(0))).not.toBeNull();
    rmSync(dir, { recursive: true });
    expect(spool.append(batch(1))).toBeNull();
    mkdirSync(dir);
    expect(new SpoolReader().read(spooled(spool.append(batch(2)))).toString()).toBe(batchText(2));
    spool.close();
  });

  it("names the file when a batch is not there to read", () => {
    const spool = new SpoolWriter(join(tempDir(), "cache.db.spool"));
    const at = spooled(spool.append(Buffer.from("short")));
    expect(() => new SpoolReader().read({ ...at, bytes: 50 })).toThrow(
      `the spool file ${at.file} ends before 50`,
    );
    spool.close();
  });
});

describe("the threaded cache's backlog", () => {
  it("waits in a spool beside the cache file, is written from it, and the spool goes at close", async () => {
    const path = join(tempDir(), "cache.db");
    const cache = startThreadedCache({ path, retentionMs: 0 });
    for (let i = 0; i < 3000; i++) cache.taskDone(burstDone(i));
    // Batches of 1 024 records were posted as they filled: through the spool, one segment file so far.
    expect(readdirSync(join(spoolDir(path), String(process.pid)))).toEqual(["00000001.batch"]);
    await cache.flush();
    const db = cache.database();
    expect(db?.prepare("SELECT count(*) AS n FROM tasks WHERE type = 'burst'").get()).toEqual({ n: 3000 });
    await cache.close();
    expect(existsSync(spoolDir(path))).toBe(false);
  });

  it("counts the records of a batch damaged in the spool as dropped, and writes the next batch", async () => {
    const path = join(tempDir(), "cache.db");
    let busy = true;
    let looks = 0;
    // While the main thread reads as busy the writer waits before reading each batch from the spool.
    const mainLoad = () => {
      looks += 1;
      return busy ? 1 : 0;
    };
    const cache = startThreadedCache({ path, retentionMs: 0, mainLoad });
    // The first look at the load is what holds the writer (it is told at once).
    await waitFor(() => looks > 0, { message: "the main thread's load looked at" });
    for (let i = 0; i < 10; i++) cache.taskDone(burstDone(i));
    const segment = join(spoolDir(path), String(process.pid), "00000001.batch");
    // Posted (appended to the spool in one go) 20 ms after the first record, and waiting there.
    await waitFor(() => existsSync(segment) && statSync(segment).size > 0, { message: "the batch spooled" });
    writeFileSync(segment, "x".repeat(readFileSync(segment).length));
    busy = false;
    await cache.flush();
    expect(cache.state().dropped).toBe(10);
    cache.taskDone(burstDone(10));
    await cache.flush();
    const db = cache.database();
    expect(db?.prepare("SELECT count(*) AS n FROM tasks WHERE type = 'burst'").get()).toEqual({ n: 1 });
    await cache.close();
  });

  it("writes tasks as published and dones as received: one finished row each, whichever came first", async () => {
    const path = join(tempDir(), "cache.db");
    const cache = startThreadedCache({ path, retentionMs: 0 });
    const json = (i: number, more = {}) =>
      Buffer.from(
        JSON.stringify({
          type: "load",
          info: `?part=${i}`,
          created: "2024-01-15T03:00:00Z",
          id: `run-${i}`,
          ...more,
        }),
      );
    const published = (i: number) => ({
      key: `key-${i}`,
      kind: "child" as const,
      subject: "tasks.load",
      workflow: "f.toml",
      phase: "load",
      published: "2024-01-15T03:00:00.500Z",
    });
    const finished = { result: "complete", meta: "workflow=f.toml&rows=7", ended: "2024-01-15T03:00:02Z" };
    for (let i = 0; i < 300; i++) {
      // Half the dones come before their task is recorded (the done arrived first).
      if (i % 2 === 0) cache.doneReceived(json(i, finished), "2024-01-15T03:00:03.000Z");
      const data = json(i);
      cache.taskPublished(published(i), data);
      data.fill(0); // the caller's bytes were copied: reusing them changes nothing
      if (i % 2 === 1) cache.doneReceived(json(i, finished), "2024-01-15T03:00:03.000Z");
    }
    await cache.flush();
    const rows = cache
      .database()
      ?.prepare("SELECT key, subject, workflow, meta, result, ended, done FROM tasks ORDER BY key")
      .all() as Record<string, string>[];
    expect(rows).toHaveLength(300);
    expect(rows[0]).toEqual({
      key: "key-0",
      subject: "tasks.load",
      workflow: "f.toml",
      meta: "workflow=f.toml&rows=7",
      result: "complete",
      ended: "2024-01-15T03:00:02.000Z",
      done: "2024-01-15T03:00:03.000Z",
    });
    expect(rows.every((r) => r.result === "complete")).toBe(true);
    await cache.close();
  });
});
