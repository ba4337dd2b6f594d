// `taskmaster worker -- CMD` as a user runs it, against `taskmaster run`, both real processes on a test server.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import { parseTask, taskJson } from "../../internal/task/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { workflowDir } from "./harness.ts";
import { startTaskmaster, taskmasterCommand } from "./process.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));
let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "worker-command-test" });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

it("runs a command per task, passes info and meta, and reports ::meta lines to the children", async () => {
  const dir = workflowDir({
    "w.toml": `[[phase]]\ntask = "root"\nrule = "cron=@yearly"\n
[[phase]]\ntask = "child"\ndependsOn = "root"\ntemplate = "?day={yyyy}-{mm}-{dd}"\n
[[phase]]\ntask = "grandchild"\ndependsOn = "child"\nrule = "require={meta:rows}"\ntemplate = "rows={meta:rows}"\n`,
  });
  const taskmaster = await startTaskmaster(server.url, dir);
  const script = 'echo "got $1 for $2"; echo "::meta rows=42"';
  const worker = spawn(
    process.execPath,
    [
      taskmasterCommand,
      "worker",
      "--topic",
      "child",
      "--nats.url",
      server.url,
      "--",
      "sh",
      "-c",
      script,
      "sh",
      "{info}",
      "{meta:workflow}",
    ],
    { cwd: repo, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  worker.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  await waitFor(() => out.includes("worker running"), { timeoutMs: 15_000, message: "the worker started" });
  const root = taskJson({
    type: "root",
    info: "",
    id: "w1",
    result: "complete",
    meta: "workflow=w.toml&cron=2024-02-03T00",
  });
  await jetstream(nc).publish("done", new TextEncoder().encode(root));
  const jsm = await jetstreamManager(nc);
  await waitFor(async () => (await jsm.streams.info("TASKMASTER_TASKS")).state.messages === 2, {
    timeoutMs: 15_000,
    message: "child and grandchild stored",
  });
  const grandchild = await jsm.streams.getMessage("TASKMASTER_TASKS", { last_by_subj: "grandchild" });
  expect(parseTask(grandchild?.data ?? new Uint8Array())).toMatchObject({
    type: "grandchild",
    id: "w1",
    info: "rows=42",
  });
  const done = await jsm.streams.getMessage("TASKMASTER_DONE", { last_by_subj: "done" });
  expect(parseTask(done?.data ?? new Uint8Array())).toMatchObject({ type: "child", result: "complete" });
  worker.kill("SIGTERM");
  await new Promise((r) => worker.once("exit", r));
  expect(out).toContain("task complete");
  await taskmaster.kill("SIGTERM");
}, 40_000);
