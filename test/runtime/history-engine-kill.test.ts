// The engine killed under a burst while the history runs apart (`--role engine` and `--role history`, two processes):
// the history keeps serving and holds everything the streams hold; the engine started again resumes the work (the
// done messages it had not handled, the cron), the history follows it, and nothing is doubled.
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
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
  endBurst,
  expectComplete,
  fileArrivals,
  historyStatus,
  quiet,
  randomMs,
  storedPositions,
  streams,
} from "./faults.ts";
import { workflowDir } from "./harness.ts";
import { startTaskmaster, type TaskmasterProcess } from "./process.ts";

let server: NatsServer;
let nc: NatsConnection;
const { cleanups } = natsPerFile("history-engine-kill-test", (s, c) => {
  server = s;
  nc = c;
});

async function role(dir: string, name: "engine" | "history"): Promise<TaskmasterProcess> {
  const until = name === "engine" ? "taskmaster running" : "history running";
  const p = await startTaskmaster(server.url, dir, ["--role", name, ...burstFlags], { until });
  cleanups.push(async () => {
    if (p.child.exitCode === null && p.child.signalCode === null) await p.kill("SIGKILL");
  });
  return p;
}

it("keeps serving and stays complete while the engine is SIGKILLed, and follows it once it is back", async () => {
  const dir = workflowDir(burstWorkflow);
  const path = join(dir, "taskmaster.db");
  const workers = burstWorkers(nc);
  cleanups.push(() => Promise.all(workers.map((w) => w.stop())));
  const engine = await role(dir, "engine");
  const history = await role(dir, "history");
  const api = apiOf(history, "history listening");
  const files = fileArrivals(nc);
  cleanups.push(() => files.stop());
  await waitFor(() => (storedPositions(path)[streams.tasks] ?? 0) >= 100, {
    timeoutMs: 20_000,
    message: "a hundred tasks in the history",
  });
  await new Promise((resolve) => setTimeout(resolve, randomMs(200, 1200)));
  expect(await engine.kill("SIGKILL")).toBeNull();

  // The engine gone: the history answers, and holds all the streams hold.
  await quiet(nc, false);
  await caughtUp(nc, path);
  expect((await fetch(`${api}/readyz`)).status).toBe(200);
  expect((await fetch(`${api}/api/v1/tasks`)).status).toBe(200);
  expect((await historyStatus(api)).history).toMatchObject({ mode: "ok" });
  const meanwhile = await expectComplete(nc, path);
  expect(history.child.exitCode).toBeNull();

  // The engine back: it handles the done messages it had left and fires the cron again; the history follows.
  const again = await role(dir, "engine");
  await waitFor(() => (storedPositions(path)[streams.tasks] ?? 0) >= meanwhile.tasks + 80, {
    timeoutMs: 20_000,
    message: "the history following the engine again",
  });
  await files.stop();
  await endBurst(dir, again);
  await quiet(nc);
  await caughtUp(nc, path);
  expect((await historyStatus(api)).history).toMatchObject({ mode: "ok", behind: 0 });
  expect(await again.kill("SIGTERM")).toBe(0);
  expect(await history.kill("SIGTERM")).toBe(0);
  const held = await expectComplete(nc, path);
  expect(held.tasks).toBeGreaterThan(meanwhile.tasks);
  expect(held.dones).toBeGreaterThan(meanwhile.dones);
}, 180_000);
