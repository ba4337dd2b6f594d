// SIGTERM and SIGINT end taskmaster within the drain limit (plus a second) whatever NATS is doing, a second signal
// ends it at once, and nothing the command started is left running: `taskmaster run` with NATS killed first and
// with work stuck, and Ctrl-C of `taskmaster dev` with its own nats-server and demo workers.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterEach, describe, expect, it } from "vitest";
import { drainLimitMs } from "../../cmd/taskmaster/lifecycle.ts";
import { connectNats } from "../../internal/bus/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { isRunning, processTree } from "../helpers/proctree.ts";
import { waitFor } from "../helpers/wait.ts";
import { workflowDir } from "./harness.ts";
import { spawnTaskmaster, startTaskmaster, type TaskmasterProcess } from "./process.ts";

const everySecond = { "w.toml": '[[phase]]\ntask = "root"\nrule = "cron=* * * * * *"\n' };
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean().catch(() => undefined);
});

async function nats(): Promise<NatsServer> {
  const server = await startNats();
  cleanups.push(() => server.stop());
  return server;
}

function track(p: TaskmasterProcess): TaskmasterProcess {
  cleanups.push(async () => {
    for (const pid of processTree(p.pid)) if (isRunning(pid)) process.kill(pid, "SIGKILL");
  });
  return p;
}

/** The exit code, or "running" if the process has not exited within `ms` of now. */
async function exitWithin(p: TaskmasterProcess, ms: number): Promise<number | null | "running"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"running">((resolve) => {
    timer = setTimeout(() => resolve("running"), ms);
  });
  const outcome = await Promise.race([p.exited, late]);
  clearTimeout(timer);
  return outcome;
}

/** Every process of the tree is gone (children re-parented when their parent exited are given a moment). */
async function expectAllGone(pids: Iterable<number>): Promise<void> {
  const left = () => [...pids].filter(isRunning).map((pid) => `${pid} ${command(pid)}`);
  await waitFor(() => left().length === 0, {
    timeoutMs: 3000,
    message: "every process of the tree gone",
  }).catch(() => expect(left()).toEqual([]));
}

function command(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

const msgs = (p: TaskmasterProcess) => p.lines.map((l) => l.msg);

describe("taskmaster run on SIGTERM", () => {
  it("exits 1 within the drain limit when NATS was killed first, saying why, and leaves nothing running", async () => {
    const server = await nats();
    const p = track(await startTaskmaster(server.url, workflowDir(everySecond)));
    await p.waitForLine((l) => l.msg === "cron fired");
    const tree = processTree(p.pid);
    await server.kill();
    await p.waitForLine((l) => l.msg === "nats disconnect");
    p.child.kill("SIGTERM");
    expect(await exitWithin(p, drainLimitMs + 1000)).toBe(1);
    expect(msgs(p)).toContainEqual(
      expect.stringMatching(/^taskmaster stopped, not cleanly: NATS could not be drained/),
    );
    await expectAllGone(tree);
  }, 60_000);

  it("exits 1 at the drain limit when work in flight cannot finish, and leaves nothing running", async () => {
    const server = await nats();
    const p = track(await startTaskmaster(server.url, workflowDir(everySecond)));
    await p.waitForLine((l) => l.msg === "cron fired");
    const tree = processTree(p.pid);
    // Without its stream, a task can never be stored: the cron fire in progress waits for good.
    const nc = await connectNats({ url: server.url, name: "shutdown-test" });
    await (await jetstreamManager(nc)).streams.delete("TASKMASTER_TASKS");
    await nc.close();
    await p.waitForLine((l) => l.msg === "publish retried" && l.reason === "no stream answered");
    const signalled = Date.now();
    p.child.kill("SIGTERM");
    expect(await exitWithin(p, drainLimitMs + 5000)).toBe(1);
    expect(Date.now() - signalled).toBeLessThan(drainLimitMs + 1000);
    expect(msgs(p)).toContain(`could not drain within ${drainLimitMs / 1000}s; exiting`);
    await expectAllGone(tree);
  }, 60_000);

  it("exits at once on a second signal", async () => {
    const server = await nats();
    const p = track(await startTaskmaster(server.url, workflowDir(everySecond)));
    await p.waitForLine((l) => l.msg === "cron fired");
    const nc = await connectNats({ url: server.url, name: "shutdown-test" });
    await (await jetstreamManager(nc)).streams.delete("TASKMASTER_TASKS");
    await nc.close();
    await p.waitForLine((l) => l.msg === "publish retried" && l.reason === "no stream answered");
    p.child.kill("SIGTERM");
    await p.waitForLine((l) => l.msg.startsWith("draining"));
    p.child.kill("SIGTERM");
    expect(await exitWithin(p, 3000)).toBe(1);
    expect(msgs(p)).toContain("second signal: exiting now, without waiting for the drain");
    expect(msgs(p)).not.toContain(`could not drain within ${drainLimitMs / 1000}s; exiting`);
  }, 60_000);
});

describe("Ctrl-C of taskmaster dev", () => {
  it("drains and stops the service, its nats-server and the demo workers, exits 0, and leaves nothing running", async () => {
    const dir = workflowDir({ "tick.toml": '[[phase]]\ntask = "tick"\nrule = "cron=* * * * * *"\n' });
    // Nothing listens on port 1: dev starts a nats-server of its own.
    const flags = ["--nats.url", "nats://127.0.0.1:1", "--workflow", dir, "--http.listen", "127.0.0.1:0"];
    const p = spawnTaskmaster(["dev", ...flags, "--cache.path", join(dir, "taskmaster.db")], {
      detached: true,
    });
    track(p);
    await p.waitForLine((l) => l.msg.startsWith("demo workers running"), 30_000);
    // The tree while a demo worker runs a task: taskmaster, its nats-server, a worker's `sh` (and what it runs).
    const seen = new Set<number>();
    await waitFor(
      () => {
        for (const pid of processTree(p.pid)) seen.add(pid);
        return [...seen].some((pid) => command(pid).includes("config/demo/worker.sh"));
      },
      { timeoutMs: 15_000, intervalMs: 10, message: "a demo worker running a task" },
    );
    expect([...seen].some((pid) => command(pid).includes("nats-server"))).toBe(true);
    // What a terminal sends on Ctrl-C: SIGINT to every process of the foreground group.
    process.kill(-p.pid, "SIGINT");
    expect(await exitWithin(p, drainLimitMs + 1000)).toBe(0);
    // The engine and the history process (which logs to the same output) each drained once: the Ctrl-C reached the
    // engine, and the history only the engine's SIGTERM.
    const drains = p.lines.filter((l) => l.msg === "draining: intake stopped, finishing work in flight");
    expect(drains.map((l) => l.signal).sort()).toEqual(["SIGINT", "SIGTERM"]);
    expect(msgs(p).filter((m) => m === "taskmaster stopped")).toHaveLength(2);
    expect(msgs(p)).not.toContain("second signal: exiting now, without waiting for the drain");
    await expectAllGone(seen);
  }, 60_000);
});
