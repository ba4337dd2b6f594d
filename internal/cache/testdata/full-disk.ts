/**
 * A full disk, for test/cache/degraded.test.ts: run inside `unshare -rm` with the folder (argv[2]) a fresh 512 KiB
 * tmpfs. Opens the store, fills the rest of the disk with a filler file, records tasks, flushes (disk full), deletes
 * the filler, flushes again; prints what it saw as JSON.
 */
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { task } from "../../../test/helpers/records.ts";
import { createCacheStore } from "../store.ts";
import type { CacheState } from "../types.ts";

const dir = process.argv[2] ?? "";
const path = join(dir, "taskmaster.db");
const filler = join(dir, "filler");
const states: CacheState[] = [];
const store = createCacheStore({ path, retentionMs: 0, retryMs: 60_000, onState: (s) => states.push(s) });
await store.flush();
const opened = store.state().mode;

fill(filler);
let threw = false;
try {
  for (let i = 0; i < 40; i++) store.taskEmitted(task({ key: `k${i}`, info: `?${"x".repeat(1000)}&n=${i}` }));
} catch {
  threw = true;
}
await store.flush();
const full = store.state();
try {
  for (let i = 40; i < 50; i++) store.taskEmitted(task({ key: `k${i}` }));
} catch {
  threw = true;
}

rmSync(filler);
await store.flush();
const after = store.state();
const db = store.database();
const rows = db ? (db.prepare("SELECT count(*) AS n FROM tasks").get() as { n: number }).n : -1;
await store.close();
const out = { opened, threw, full, after, rows, modes: states.map((s) => s.mode) };
process.stdout.write(`${JSON.stringify(out)}\n`);

/** Takes every free block: big writes first, then single pages. */
function fill(file: string): void {
  const fd = openSync(file, "w");
  for (const size of [65_536, 4096, 512]) {
    const chunk = Buffer.alloc(size, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch {
      // ENOSPC: on to smaller writes.
    }
  }
  closeSync(fd);
}
