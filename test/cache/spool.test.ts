// The threaded cache's backlog through its spool: written from it, damaged batches counted, and tasks and dones in
// either order.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { spoolDir } from "../../internal/cache/spool.ts";
import { startThreadedCache } from "../../internal/cache/thread.ts";
import { burstDone } from "../helpers/records.ts";
import { waitFor } from "../helpers/wait.ts";

const made: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "taskmaster-spool-"));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
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
