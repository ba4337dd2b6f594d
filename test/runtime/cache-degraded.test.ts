// The history never in the way: with its file on a full disk (a small tmpfs) or a read-only mount, `taskmaster run`
// (real processes, in a mount namespace of their own) says the history is degraded and why, the engine goes on
// scheduling (every task is stored), and once the file can be written again the history holds every message.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { workflowDir } from "./harness.ts";
import { historyAnswers, startTaskmaster, type TaskmasterProcess } from "./process.ts";

let server: NatsServer;
let nc: NatsConnection;
const running: TaskmasterProcess[] = [];

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "cache-degraded-test" });
});

afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) await p.kill("SIGKILL");
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const workflow =
  '[[phase]]\ntask = "root"\nrule = "cron=@yearly"\n\n[[phase]]\ntask = "child"\ndependsOn = "root"\n';
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
/** Runs taskmaster in its own mount namespace after `setup` (shell) has mounted what the test needs. */
const inNamespace = (setup: string) => (argv: readonly string[]) => [
  "unshare",
  "-rm",
  "sh",
  "-c",
  `${setup} && exec ${argv.map(quote).join(" ")}`,
];

/** Publishes `n` root done messages with a long info (so the cache fills fast); resolves when all are stored. */
async function rootsDone(n: number, prefix: string): Promise<void> {
  const js = jetstream(nc);
  const info = `?padding=${"x".repeat(2000)}`;
  for (let i = 0; i < n; i++) {
    const created = `${new Date().toISOString().slice(0, 19)}Z`;
    const task = {
      type: "root",
      info,
      id: `${prefix}${i}`,
      result: "complete",
      created,
      meta: "workflow=w.toml",
    };
    await js.publish("done", taskJson(task as never));
  }
}

async function storedTasks(): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info("TASKMASTER_TASKS")).state.messages;
}

/** Runs `command` in the mount namespace `p` runs in (the test's user owns it: no privilege needed). */
function inItsNamespace(p: TaskmasterProcess, command: string): void {
  const r = spawnSync(
    "nsenter",
    ["-t", String(p.pid), "-U", "-m", "--preserve-credentials", "sh", "-c", command],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`${command}: ${r.stderr}`);
}

type HistoryStatus = { history: { mode: string; reason: string; behind: number } };

async function status(url: string): Promise<HistoryStatus["history"]> {
  return ((await (await fetch(`${url}/api/v1/status`)).json()) as HistoryStatus).history;
}

/** The children the history shows for today. */
async function childrenShown(url: string): Promise<number> {
  return ((await (await fetch(`${url}/api/v1/tasks?type=child`)).json()) as { total: number }).total;
}

async function started(
  dir: string,
  path: string,
  setup: string,
): Promise<{ p: TaskmasterProcess; url: string }> {
  const p = await startTaskmaster(server.url, dir, [], { cachePath: path, wrap: inNamespace(setup) });
  running.push(p);
  const url = String(p.lines.find((l) => l.msg === "taskmaster running")?.http);
  await historyAnswers(url);
  return { p, url };
}

describe("a history that cannot be written", () => {
  it("says degraded on a full disk while the engine keeps scheduling, and catches up once there is room", async () => {
    const dir = workflowDir({ "w.toml": workflow });
    const mnt = mkdtempSync(join(tmpdir(), "taskmaster-full-"));
    const path = join(mnt, "taskmaster.db");
    const { p, url } = await started(dir, path, `mount -t tmpfs -o size=400k tmpfs ${quote(mnt)}`);
    await rootsDone(400, "full");
    await waitFor(async () => (await storedTasks()) === 400, {
      timeoutMs: 20_000,
      message: "400 children stored",
    });
    await waitFor(async () => (await status(url)).mode === "degraded", {
      timeoutMs: 20_000,
      message: "the history degraded",
    });
    expect((await status(url)).reason).toMatch(/disk full .*taskmaster\.db.*SQLITE_FULL/);

    inItsNamespace(p, `mount -o remount,size=64m ${quote(mnt)}`);
    await waitFor(async () => (await status(url)).mode === "ok", {
      timeoutMs: 30_000,
      message: "the history writing again",
    });
    await waitFor(async () => (await childrenShown(url)) === 400, {
      timeoutMs: 20_000,
      message: "400 children in the history",
    });
    expect(await p.kill("SIGTERM")).toBe(0);
  }, 90_000);

  it("says degraded on a read-only mount while the engine keeps scheduling, and catches up once writable", async () => {
    const dir = workflowDir({ "w.toml": workflow });
    const ro = mkdtempSync(join(tmpdir(), "taskmaster-ro-"));
    writeFileSync(join(ro, "README"), "a read-only mount for the history\n");
    const path = join(ro, "taskmaster.db");
    const { p, url } = await started(
      dir,
      path,
      `mount --bind ${quote(ro)} ${quote(ro)} && mount -o remount,ro,bind ${quote(ro)}`,
    );
    const history = await status(url);
    expect(history.mode).toBe("degraded");
    expect(history.reason).toContain(path);
    await rootsDone(50, "ro");
    await waitFor(async () => (await storedTasks()) === 50, {
      timeoutMs: 20_000,
      message: "50 children stored",
    });

    inItsNamespace(p, `mount -o remount,rw,bind ${quote(ro)}`);
    await waitFor(async () => (await status(url)).mode === "ok", {
      timeoutMs: 30_000,
      message: "the history writing again",
    });
    await waitFor(async () => (await childrenShown(url)) === 50, {
      timeoutMs: 20_000,
      message: "50 children in the history",
    });
    expect(await p.kill("SIGTERM")).toBe(0);
  }, 90_000);
});
