/**
 * A read-only mount, for test/cache/degraded.test.ts: run inside `unshare -rm` with the folder (argv[2])
 * bind-mounted read-only; it holds `existing.db`. Opens a store on that file and one on a new file in a missing
 * subfolder, records, flushes; then remounts the folder read-write and flushes again. Prints what it saw as JSON.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { task } from "../../../test/helpers/records.ts";
import { probeCacheFile } from "../db.ts";
import { type CacheStore, createCacheStore } from "../store.ts";
import type { CacheState } from "../types.ts";

const dir = process.argv[2] ?? "";
const probe = probeCacheFile(join(dir, "existing.db"));
const states: Record<string, CacheState[]> = { existing: [], fresh: [] };
const stores: Record<string, CacheStore> = {};
let threw = false;
for (const [name, path] of [
  ["existing", join(dir, "existing.db")],
  ["fresh", join(dir, "new", "taskmaster.db")],
] as const) {
  const store = createCacheStore({
    path,
    retentionMs: 0,
    retryMs: 60_000,
    onState: (s) => states[name]?.push(s),
  });
  stores[name] = store;
  try {
    for (let i = 0; i < 5; i++) store.taskEmitted(task({ key: `k${i}` }));
  } catch {
    threw = true;
  }
  await store.flush();
}
const readOnly = Object.fromEntries(Object.entries(stores).map(([name, s]) => [name, s.state()]));

const remount = spawnSync("mount", ["-o", "remount,rw,bind", dir], { encoding: "utf8" });
const writable: Record<string, { state: CacheState; rows: number }> = {};
for (const [name, store] of Object.entries(stores)) {
  await store.flush();
  const db = store.database();
  const rows = db ? (db.prepare("SELECT count(*) AS n FROM tasks").get() as { n: number }).n : -1;
  writable[name] = { state: store.state(), rows };
  await store.close();
}
const modes = Object.fromEntries(
  Object.entries(states).map(([name, list]) => [name, list.map((s) => s.mode)]),
);
const out = { probe, threw, readOnly, remount: remount.status, writable, modes };
process.stdout.write(`${JSON.stringify(out)}\n`);
