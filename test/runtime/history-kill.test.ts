// The history process killed during a burst, with `taskmaster run` (role all) as a user starts it: SIGKILL three
// times at random moments, and SIGBUS once. The supervisor starts it again each time, the engine schedules on
// meanwhile, and once the burst is over the history holds exactly every task, done message, file, alert and action
// the streams hold, counted both ways.
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
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
  randomMs,
} from "./faults.ts";
import { workflowDir } from "./harness.ts";
import { startTaskmaster, type TaskmasterProcess } from "./process.ts";

let server: NatsServer;
let nc: NatsConnection;
const { cleanups } = natsPerFile("history-kill-test", (s, c) => {
  server = s;
  nc = c;
});

/** Taskmaster with the burst's workers already listening (the first batch comes at once). */
async function started(dir: string): Promise<TaskmasterProcess> {
  const workers = burstWorkers(nc);
  cleanups.push(() => Promise.all(workers.map((w) => w.stop())));
  const p = await startTaskmaster(server.url, dir, burstFlags);
  cleanups.push(async () => {
    if (p.child.exitCode === null && p.child.signalCode === null) await p.kill("SIGKILL");
  });
  return p;
}

/** The burst's file messages, stopped after the test. */
function burst() {
  const files = fileArrivals(nc);
  cleanups.push(() => files.stop());
  return files;
}

/** Ends the burst, waits for the work to be over and the history to hold it, and stops taskmaster. */
async function settle(p: TaskmasterProcess, dir: string, files: { stop(): Promise<number> }) {
  await files.stop();
  await endBurst(dir, p);
  await quiet(nc);
  const path = join(dir, "taskmaster.db");
  await caughtUp(nc, path);
  const status = await historyStatus(apiOf(p));
  expect(status.history?.mode).toBe("ok");
  expect(await p.kill("SIGTERM")).toBe(0);
  return expectComplete(nc, path);
}

describe("the history process under a burst (role all)", () => {
  it("holds exactly what the streams hold after three SIGKILLs at random moments", async () => {
    const dir = workflowDir(burstWorkflow);
    const p = await started(dir);
    const files = burst();
    const exits = () => p.lines.filter((l) => /^the history process killed by SIGKILL/.test(l.msg)).length;
    for (let n = 1; n <= 3; n++) {
      const pid = await historyPid(p, n);
      await new Promise((resolve) => setTimeout(resolve, randomMs(300, 1500)));
      process.kill(pid, "SIGKILL");
      await waitFor(() => exits() === n, { timeoutMs: 10_000, message: `the supervisor saw kill ${n}` });
    }
    await historyPid(p, 4);
    const held = await settle(p, dir, files);
    // A burst worth the name: every kill fell among hundreds of tasks on their way.
    expect(held.tasks).toBeGreaterThan(500);
    expect(held.files).toBeGreaterThan(20);
    expect(held.alerts).toBeGreaterThan(10);
  }, 180_000);

  it("comes back complete after SIGBUS, while the engine goes on scheduling", async () => {
    const dir = workflowDir(burstWorkflow);
    const p = await started(dir);
    const files = burst();
    const batches = countMessages(nc, "batch");
    cleanups.push(async () => batches.stop());
    const pid = await historyPid(p, 1);
    await waitFor(() => batches.count() >= 80, { timeoutMs: 20_000, message: "two batches" });
    process.kill(pid, "SIGBUS");
    const exit = await p.waitForLine((l) =>
      /^the history process killed by SIGBUS; restarting it in/.test(l.msg),
    );
    const next = await historyPid(p, 2);
    expect(next).not.toBe(pid);
    const back = await p.waitForLine((l) => l.msg === "history running" && l.pid === next);
    // While it was down: the cron's batches kept coming.
    const meanwhile = batches.times.filter((t) => t > Number(exit.time) && t < Number(back.time));
    expect(meanwhile.length).toBeGreaterThanOrEqual(40);
    const held = await settle(p, dir, files);
    expect(held.tasks).toBeGreaterThan(200);
  }, 180_000);
});
