/**
 * How fast the store writes: N task records and their dones, through the queue and the batched transactions, into a
 * real file in a temporary folder. `make bench` calls it; it is not a test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCacheStore } from "./store.ts";

export interface CacheWriteFigures {
  /** Tasks written, each with its done (so twice as many records). */
  readonly rows: number;
  readonly ms: number;
  readonly rowsPerSecond: number;
}

export async function measureCacheWrites(rows: number): Promise<CacheWriteFigures> {
  const dir = mkdtempSync(join(tmpdir(), "taskmaster-cache-bench-"));
  const store = createCacheStore({ path: join(dir, "taskmaster.db"), retentionMs: 0 });
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
    }
    await store.flush();
    const ms = performance.now() - started;
    return { rows, ms: Math.round(ms), rowsPerSecond: Math.round(rows / (ms / 1000)) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
