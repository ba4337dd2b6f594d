// The two roles as real processes: the engine alone (probes, metrics, scheduling, no SQLite), the engine with the
// history process beside it (a child at low priority, restarted when killed while cron tasks keep coming, the proxy's
// 503 while it is down), and a start that fails after connecting, which leaves nothing behind.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { startEngine } from "../../cmd/taskmaster/engine.ts";
import type { NatsServer } from "../helpers/nats.ts";
import { natsPerFile } from "../helpers/natsfile.ts";
import { waitFor } from "../helpers/wait.ts";
import { testConfig, workflowDir } from "./harness.ts";
import { startTaskmaster, type TaskmasterProcess } from "./process.ts";

let server: NatsServer;
let nc: NatsConnection;
const { cleanups } = natsPerFile("roles-test", (s, c) => {
  server = s;
  nc = c;
});

/** A phase whose cron fires every second. */
const ticking = { "w.toml": '[[phase]]\ntask = "tick"\nrule = "cron=* * * * * *"\n' };

function track(p: TaskmasterProcess): TaskmasterProcess {
  cleanups.push(async () => {
    if (p.child.exitCode === null && p.child.signalCode === null) await p.kill("SIGKILL");
  });
  return p;
}

/** Tasks published on `tick`, as they come. */
function ticks(): { count(): number; sub: Subscription } {
  const sub = nc.subscribe("tick");
  let n = 0;
  void (async () => {
    for await (const _ of sub) n++;
  })();
  cleanups.push(async () => sub.unsubscribe());
  return { count: () => n, sub };
}

const apiOf = (p: TaskmasterProcess) => String(p.lines.find((l) => l.msg === "API listening")?.http);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("taskmaster run --role engine", () => {
  it("serves the probes and metrics, schedules cron tasks, and writes no SQLite file", async () => {
    const dir = workflowDir(ticking);
    const tasks = ticks();
    const p = track(await startTaskmaster(server.url, dir, ["--role", "engine"]));
    const api = apiOf(p);
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    const ready = await fetch(`${api}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, nats: "connected", workflows: 1, stuck: false });
    await waitFor(() => tasks.count() >= 2, { timeoutMs: 5000, message: "two cron tasks" });
    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toContain("taskmaster_nats_connected 1");
    expect(metrics).toMatch(/taskmaster_tasks_published_total\{topic="tick",kind="cron"\} [1-9]/);
    expect(metrics).not.toContain("taskmaster_cache_");
    const other = await fetch(`${api}/api/v1/tasks`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: string }).error).toMatch(/served by the history role/);

    expect(await p.kill("SIGTERM")).toBe(0);
    expect(readdirSync(dir).filter((name) => name.includes(".db"))).toEqual([]);
    expect(existsSync(join(dir, "taskmaster.db"))).toBe(false);
  });
});

describe("taskmaster run (role all)", () => {
  const started = (p: TaskmasterProcess) => p.lines.filter((l) => l.msg === "history process started");

  it("runs the history as a niced child, restarts it when killed, and schedules on meanwhile", async () => {
    const dir = workflowDir(ticking);
    const tasks = ticks();
    const p = track(await startTaskmaster(server.url, dir));
    const api = apiOf(p);
    const first = await p.waitForLine((l) => l.msg === "history process started");
    expect(first.pid).not.toBe(p.pid);
    expect(first.nice).toBe(10);

    const pid = Number(first.pid);
    if (alive(pid)) process.kill(pid, "SIGKILL");
    const exit = /^the history process (killed by SIGKILL|exited with code \d+); restarting it in/;
    await p.waitForLine((l) => exit.test(l.msg));
    const before = tasks.count();
    // While it is down: a 503 that says so, JSON for the API and a page for people.
    await waitFor(
      async () => {
        const res = await fetch(`${api}/api/v1/tasks`);
        const body = res.status === 503 ? ((await res.json()) as { error: string }) : { error: "" };
        return /^the history process is restarting \(attempt \d+\): (killed by SIGKILL|exited with code \d+)/.test(
          body.error,
        );
      },
      { timeoutMs: 5000, message: "the proxy's 503" },
    );
    const page = await fetch(`${api}/web/`);
    expect(page.status).toBe(503);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/the history process (is restarting|is starting)/);

    await waitFor(() => started(p).length >= 2, { timeoutMs: 10_000, message: "the history restarted" });
    expect(started(p)[1]?.pid).not.toBe(pid);
    await waitFor(() => tasks.count() >= before + 2, { timeoutMs: 5000, message: "cron tasks go on" });
    expect((await fetch(`${api}/readyz`)).status).toBe(200);

    expect(await p.kill("SIGTERM")).toBe(0);
    for (const line of started(p)) expect(alive(Number(line.pid))).toBe(false);
  });

  it("exits when the start fails after connecting, leaving no history process behind", async () => {
    const jsm = await jetstreamManager(nc);
    // The retry subject already taken: taskmaster's retry stream cannot be made.
    await jsm.streams.add({ name: "SQUATTER", subjects: ["taskmaster.retry"] });
    const dir = workflowDir(ticking);
    const p = track(await startTaskmaster(server.url, dir, [], { until: "" }));
    const code = await p.exited;
    expect(code).toBe(1);
    expect(p.lines.some((l) => /^taskmaster could not start: .*overlap/i.test(l.msg))).toBe(true);
    for (const line of started(p)) expect(alive(Number(line.pid))).toBe(false);
  });
});

describe("the engine's composition root", () => {
  it("stops what it had started when a part fails to start: no socket or timer is left", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "SQUATTER", subjects: ["taskmaster.retry"] });
    const dir = workflowDir(ticking);
    const resources = (type: string) => process.getActiveResourcesInfo().filter((r) => r === type).length;
    const sockets = resources("TCPSocketWrap");
    await expect(startEngine(testConfig(server.url, dir), dir)).rejects.toThrow(/overlap/i);
    await waitFor(() => resources("TCPSocketWrap") === sockets, {
      timeoutMs: 2000,
      message: "no socket left",
    });
    expect(resources("TCPSocketWrap")).toBe(sockets);
  });
});
