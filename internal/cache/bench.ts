/**
 * How fast the store writes: N task records and their dones, through the queue and the batched transactions, into a
 * real file in a temporary folder. `make bench` calls it; it is not a test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writerBatch } from "./queue.ts";
import { createCacheStore } from "./store.ts";

export interface CacheWriteFigures {
  /** Tasks written, each with its done (so twice as many records). */
  readonly rows: number;
  readonly ms: number;
  readonly rowsPerSecond: number;
}

export async function measureCacheWrites(rows: number): Promise<CacheWriteFigures> {
  const dir = mkdtempSync(join(tmpdir(), "taskmaster-cache-bench-"));
  // Batched as the cache's writing thread does it (`worker.ts`): a transaction per few thousand records.
  const store = createCacheStore({
    path: join(dir, "taskmaster.db"),
    retentionMs: 0,
    batchRows: writerBatch,
  });
  try {
    await store.flush(); // the open is not part of the figure
    const base = Date.parse("2024-01-15T00:00:00Z");
    const started = performance.now();
    for (let i = 0; i < rows; i++) {
      const created = new Date(base + i).toISOString();
      const id = `id-${i}`;
      const info = `?date=2024-01-15&part=${i}`;
      store.taskEmitted({
        key: `bench-${i}`,
        id,
        type: "bench",
        job: "write",
        info,
        meta: "workflow=bench.toml&job=write",
        kind: "cron",
        subject: "tasks.bench",
        workflow: "bench.toml",
        phase: "bench:write",
        created,
        published: created,
      });
      store.taskDone({
        id,
        type: "bench",
        job: "write",
        info,
        created,
        meta: "workflow=bench.toml&job=write",
        result: "complete",
        msg: "",
        started: created,
        ended: created,
        done: created,
      });
      if ((i + 1) % (writerBatch / 2) === 0) await store.flush();
    }
    await store.flush();
    const ms = performance.now() - started;
    const written = store
      .database()
      ?.prepare("SELECT count(*) AS n FROM tasks WHERE done IS NOT NULL")
      .get() as { n: number } | undefined;
    if (written?.n !== rows)
      throw new Error(`the cache bench wrote ${written?.n ?? 0} finished tasks of ${rows}`);
    return { rows, ms: Math.round(ms), rowsPerSecond: Math.round(rows / (ms / 1000)) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
