// The history's file in trouble, with `taskmaster run` (role all) as a user starts it: its disk full (a small tmpfs
// mounted for the test), its file corrupt, its file gone. The engine schedules on whatever happens to the file; the
// history says what is wrong (degraded, rebuilding and how far), and comes back holding exactly what the streams
// hold. A history rebuilt from nothing holds the same rows as the one built as the work went.
import { execFileSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import BetterSqlite3 from "better-sqlite3";
import { expect, it } from "vitest";
import type { NatsServer } from "../helpers/nats.ts";
import { natsPerFile } from "../helpers/natsfile.ts";
import { waitFor } from "../helpers/wait.ts";
import {
  apiOf,
  burstFlags,
  burstWorkers,
  burstWorkflow,
  caughtUp,
  countMessages,
  endBurst,
  expectComplete,
  fileArrivals,
  historyPid,
  historyStatus,
  quiet,
  storedPositions,
  streams,
} from "./faults.ts";
import { workflowDir } from "./harness.ts";
import { type StartOptions, startTaskmaster, type TaskmasterProcess } from "./process.ts";

let server: NatsServer;
let nc: NatsConnection;
const { cleanups } = natsPerFile("history-file-test", (s, c) => {
  server = s;
  nc = c;
});

async function start(
  dir: string,
  flags: string[] = [],
  options: StartOptions = {},
): Promise<TaskmasterProcess> {
  const p = await startTaskmaster(server.url, dir, [...burstFlags, ...flags], options);
  cleanups.push(async () => {
    if (p.child.exitCode === null && p.child.signalCode === null) await p.kill("SIGKILL");
  });
  return p;
}

function workers(): void {
  const w = burstWorkers(nc);
  cleanups.push(() => Promise.all(w.map((x) => x.stop())));
}

/** Taskmaster through a burst of `tasks` tasks or more, then stopped with the history complete; its file's path. */
async function burstRun(dir: string, tasks: number): Promise<string> {
  const path = join(dir, "taskmaster.db");
  workers();
  const admin = "adm-0123456789abcdef";
  const p = await start(dir, ["--http.admin_token", admin]);
  const files = fileArrivals(nc);
  cleanups.push(() => files.stop());
  await waitFor(() => (storedPositions(path)[streams.tasks] ?? 0) >= tasks, {
    timeoutMs: 30_000,
    message: `${tasks} tasks in the history`,
  });
  await files.stop();
  await endBurst(dir, p);
  // A person's action too: a reload asked on the API, on the audit stream.
  await historyPid(p, 1);
  const refresh = { method: "POST", headers: { Authorization: `Bearer ${admin}` } };
  expect((await fetch(`${apiOf(p)}/api/v1/refresh`, refresh)).status).toBe(200);
  await quiet(nc);
  await caughtUp(nc, path);
  expect(await p.kill("SIGTERM")).toBe(0);
  return path;
}

/** The history role alone on `dir`'s file, until it holds what the streams hold; then stopped. */
async function historyAlone(dir: string): Promise<TaskmasterProcess> {
  const h = await start(dir, ["--role", "history"], { until: "history running" });
  await caughtUp(nc, join(dir, "taskmaster.db"));
  expect(await h.kill("SIGTERM")).toBe(0);
  return h;
}

/** A tmpfs of `size` at a new directory, unmounted after the test; the test fails if it cannot be mounted. */
function smallDisk(size: string): string {
  const mnt = mkdtempSync(join(tmpdir(), "taskmaster-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", mnt], { stdio: "pipe" });
  } catch (err) {
    throw new Error(
      `this test needs to mount a tmpfs (run it as root, or with CAP_SYS_ADMIN): ${(err as Error).message}`,
    );
  }
  cleanups.push(async () => {
    execFileSync("umount", ["-l", mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });
  return mnt;
}

/** Writes zeros to `path` until the disk is full; returns the bytes written. */
function fillDisk(path: string): number {
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(16 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  } finally {
    closeSync(fd);
  }
  return written;
}

it("says degraded on a full disk while the engine schedules on, and comes back complete once space is freed", async () => {
  const dir = workflowDir(burstWorkflow);
  const mnt = smallDisk("8m");
  const path = join(mnt, "taskmaster.db");
  workers();
  const batches = countMessages(nc, "batch");
  cleanups.push(async () => batches.stop());
  const p = await start(dir, [], { cachePath: path });
  const api = apiOf(p);
  const files = fileArrivals(nc);
  cleanups.push(() => files.stop());
  await historyPid(p, 1);
  await waitFor(() => (storedPositions(path)[streams.tasks] ?? 0) >= 40, {
    timeoutMs: 20_000,
    message: "a batch in the history",
  });

  const filler = join(mnt, "filler");
  expect(fillDisk(filler)).toBeGreaterThan(0);
  let reason = "";
  await waitFor(
    async () => {
      const h = (await historyStatus(api)).history;
      reason = h?.reason ?? "";
      return h?.mode === "degraded";
    },
    { timeoutMs: 30_000, message: "the history degraded" },
  );
  expect(reason).toMatch(/disk full .*taskmaster\.db/);
  await p.waitForLine((l) => /^history degraded: disk full/.test(l.msg));
  // Degraded, it stays up and answers, and the engine schedules on.
  const seen = batches.count();
  await waitFor(() => batches.count() >= seen + 80, { timeoutMs: 10_000, message: "two batches meanwhile" });
  expect((await historyStatus(api)).history?.mode).toBe("degraded");

  rmSync(filler);
  await files.stop();
  await endBurst(dir, p);
  await quiet(nc);
  await caughtUp(nc, path);
  expect((await historyStatus(api)).history?.mode).toBe("ok");
  expect(p.lines.filter((l) => l.msg === "history process started")).toHaveLength(1);
  expect(await p.kill("SIGTERM")).toBe(0);
  const held = await expectComplete(nc, path);
  expect(held.tasks).toBeGreaterThan(120);
}, 180_000);

it("moves a corrupt file aside, says it is rebuilding and how far, and rebuilds it complete", async () => {
  const dir = workflowDir(burstWorkflow);
  const path = await burstRun(dir, 200);
  // Garbage over the middle third of the file, while no process has it open.
  const size = statSync(path).size;
  const fd = openSync(path, "r+");
  const garbage = Buffer.from(Array.from({ length: Math.floor(size / 3) }, (_, i) => (i * 131 + 7) % 251));
  writeSync(fd, garbage, 0, garbage.length, Math.floor(size / 3));
  closeSync(fd);

  const p = await start(dir);
  const moved = await p.waitForLine((l) => l.msg.startsWith("history file moved aside"));
  expect(moved.msg).toContain("is corrupt");
  expect(existsSync(String(moved.aside))).toBe(true);
  expect(readdirSync(dir).filter((n) => n.includes(".corrupt-"))).not.toEqual([]);
  const rebuilding = await p.waitForLine((l) => l.msg.startsWith("history rebuilding from the streams"));
  expect(rebuilding.rebuild).toMatchObject({ done: 0, total: expect.any(Number) });
  expect((rebuilding.rebuild as { total: number }).total).toBeGreaterThan(200);
  const rebuilt = await p.waitForLine((l) => l.msg === "history rebuilt from the streams");
  expect(rebuilt.messages).toBe((rebuilding.rebuild as { total: number }).total);
  await caughtUp(nc, path);
  await historyPid(p, 1);
  expect((await historyStatus(apiOf(p))).history?.mode).toBe("ok");
  expect(await p.kill("SIGTERM")).toBe(0);
  await expectComplete(nc, path);
}, 180_000);

it("rebuilt from nothing, holds the same rows as the history built as the work went", async () => {
  const dir = workflowDir(burstWorkflow);
  const path = await burstRun(dir, 200);
  await expectComplete(nc, path);
  const copy = join(dir, "incremental.db");
  copyFileSync(path, copy);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });

  const h = await historyAlone(dir);
  expect(h.lines.some((l) => l.msg === "history rebuilt from the streams")).toBe(true);
  const tables = {
    tasks: "SELECT * FROM tasks ORDER BY key",
    files:
      "SELECT path, size, modified, checksum, source, format, status, data_time, task_ids, task_names, reason, received FROM files ORDER BY received, path",
    alerts:
      "SELECT kind, task_id, task_type, job, info, msg, data_time, created FROM alerts ORDER BY created, task_id, kind, msg",
    actions: "SELECT action, actor, detail, outcome, tasks, at FROM actions ORDER BY at, action, detail",
    positions: "SELECT * FROM positions ORDER BY stream",
  };
  const rowsOf = (file: string) => {
    const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    try {
      return Object.fromEntries(Object.entries(tables).map(([name, sql]) => [name, db.prepare(sql).all()]));
    } finally {
      db.close();
    }
  };
  const incremental = rowsOf(copy);
  const rebuilt = rowsOf(path);
  expect(incremental.tasks?.length).toBeGreaterThan(200);
  expect(incremental.files?.length).toBeGreaterThan(0);
  expect(incremental.alerts?.length).toBeGreaterThan(0);
  expect(incremental.actions?.length).toBe(1);
  for (const name of Object.keys(tables))
    expect({ [name]: rebuilt[name] }).toEqual({ [name]: incremental[name] });
}, 180_000);
