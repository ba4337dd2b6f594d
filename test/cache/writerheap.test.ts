import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startThreadedCache } from "../../internal/cache/thread.ts";
import type { WriterHeap } from "../../internal/cache/worker.ts";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const MiB = 1024 * 1024;

/** Writes `n` tasks and their dones through the writer thread; the writer's heap after each batch. */
async function writeBurst(n: number, oldSpaceMb?: number): Promise<WriterHeap[]> {
  const dir = mkdtempSync(join(tmpdir(), "taskmaster-writerheap-"));
  made.push(dir);
  const heaps: WriterHeap[] = [];
  const cache = startThreadedCache({
    path: join(dir, "cache.db"),
    retentionMs: 0,
    ...(oldSpaceMb === undefined ? {} : { oldSpaceMb }),
    onWriterHeap: (heap) => heaps.push(heap),
  });
  const json = (i: number, more = {}) =>
    Buffer.from(
      JSON.stringify({
        type: "load",
        info: `?part=${i}&day=2024-01-15`,
        created: "2024-01-15T03:00:00Z",
        id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        meta: `workflow=f.toml&part=${i}`,
        ...more,
      }),
    );
  const finished = { result: "complete", ended: "2024-01-15T03:00:02Z" };
  for (let i = 0; i < n; i++) {
    cache.taskPublished(
      {
        key: `key-${i}`,
        kind: "child",
        subject: "tasks.load",
        workflow: "f.toml",
        phase: "load",
        published: "2024-01-15T03:00:00.500Z",
      },
      json(i),
    );
    cache.doneReceived(json(i, finished), "2024-01-15T03:00:03.000Z");
    if (i % 5000 === 4999) await new Promise((r) => setTimeout(r, 1));
  }
  await cache.flush();
  const rows = cache.database()?.prepare("SELECT count(*) AS n FROM tasks WHERE result = 'complete'").get();
  expect(rows).toEqual({ n });
  await cache.close();
  return heaps;
}

describe("the writer thread's heap", () => {
  it("collects its old generation once a write leaves more than its limit there", async () => {
    const collected = await writeBurst(60_000);
    const kept = await writeBurst(60_000, 0);
    const highest = (heaps: WriterHeap[]) => Math.max(...heaps.map((h) => h.oldSpace)) / MiB;
    // Between two writes the old space grows by what one transaction's records leave there (a few MiB).
    expect(highest(collected)).toBeLessThan(16);
    expect(collected.at(-1)?.collections).toBeGreaterThan(0);
    // Left to V8, the same burst leaves several times as much there (about 45 MiB).
    expect(kept.at(-1)?.collections).toBe(0);
    expect(highest(kept)).toBeGreaterThan(2 * highest(collected));
  }, 60_000);
});
