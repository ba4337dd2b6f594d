// The service in this process against a real nats-server: chains through real workers, duplicate and malformed
// done messages, reloads good and bad, and cron catch-up after downtime.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cronBucket, type EngineRole, startEngine } from "../../cmd/taskmaster/engine.ts";
import { connectNats, kvSlotStore } from "../../internal/bus/index.ts";
import { type Clock, manualClock } from "../../internal/clock/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import type { Worker } from "../../internal/worker/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import {
  EventLog,
  fakeWorkers,
  LogLines,
  published,
  testConfig,
  workflowDir,
  writeWorkflows,
} from "./harness.ts";

let server: NatsServer;
let nc: NatsConnection;
let service: EngineRole | undefined;
let workers: Worker[] = [];

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "service-test" });
});

afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  await service?.stop();
  service = undefined;
  // Each test starts from empty streams and consumers.
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const chain = `
[[phase]]
task = "root"
rule = "cron=0 0 0 1 1 *"
template = "?day={yyyy}-{mm}-{dd}"

[[phase]]
task = "child"
dependsOn = "root"
template = "?day={yyyy}-{mm}-{dd}"
retry = 2
rule = "retry_delay=200ms&backoff=1"

[[phase]]
task = "grandchild"
dependsOn = "child"
template = "{meta:out}"
`;

async function start(files: Record<string, string>, flags: string[] = [], clock?: Clock) {
  const dir = workflowDir(files);
  const events = new EngineEvents();
  const log = new EventLog(events);
  service = await startEngine(testConfig(server.url, dir, flags), dir, events, clock ? { clock } : {});
  return { dir, log, svc: service, events };
}

const encoder = new TextEncoder();
const done = (fields: Record<string, string>) =>
  encoder.encode(taskJson({ type: "root", info: "", ...fields }));

describe("the service", () => {
  it("runs a chain through real workers: root done → child → grandchild, one id for the run", async () => {
    const { svc, log } = await start({ "chain.toml": chain });
    workers = fakeWorkers(nc, ["child", "grandchild"], (t) =>
      t.type === "child" ? { result: "complete", meta: { out: "s3://b/out.csv" } } : { result: "complete" },
    );
    await svc.engine.fireCron(
      svc.engine.snapshot()?.phases.find((p) => p.key === "root") ?? assertNever(),
      new Date(),
    );
    const root = published(log, "root")[0]?.emission.task;
    // No root worker here: the test plays it and reports the root done.
    await jetstream(nc).publish(
      "done",
      done({ ...root, type: "root", result: "complete", id: root?.id ?? "" }),
    );
    const grandchild = await log.until("taskDone", (e) => e.task.type === "grandchild");
    expect(grandchild.task).toMatchObject({ id: root?.id, info: "s3://b/out.csv", result: "complete" });
    expect(published(log, "child").map((e) => e.emission.task.id)).toEqual([root?.id]);
  });

  it("retries an error after its delay, and fails it to retry-failed when retries are used up", async () => {
    const { log } = await start({ "chain.toml": chain });
    let attempts = 0;
    workers = fakeWorkers(nc, ["child"], () => ({ result: "error", msg: `boom ${++attempts}` }));
    const started = Date.now();
    await jetstream(nc).publish(
      "done",
      done({ id: "r1", result: "complete", meta: "workflow=chain.toml&cron=2024-01-15T00" }),
    );
    const failed = await log.until("taskFailed");
    expect(attempts).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400); // two waits of 200-280 ms
    expect(log.of("retryScheduled").map((e) => e.delayMs)).toHaveLength(2);
    expect(failed.task.meta).toContain("retry=failed");
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info("TASKMASTER_FAILED")).state.messages).toBe(1);
    expect(log.of("alertRaised").map((e) => e.alert.message)).toEqual([
      "child failed after 2 retries: boom 3",
    ]);
  });

  it("logs a failed task as one JSON object with each key once: the task's own message is task_msg", async () => {
    const { log, events } = await start({ "chain.toml": chain });
    const logged = new LogLines(events);
    workers = fakeWorkers(nc, ["child"], () => ({ result: "error", msg: 'disk "on" fire' }));
    await jetstream(nc).publish(
      "done",
      done({ id: "r2", result: "complete", meta: "workflow=chain.toml&cron=2024-01-15T00" }),
    );
    await log.until("taskFailed");
    logged.stop();
    const line = logged.lines.find((l) => l.includes('"task failed"')) ?? "";
    // JSON.parse keeps the last of two equal keys; strict pipelines refuse the line.
    expect(line.match(/[{,]"msg":/g)).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({
      level: 40,
      msg: "task failed",
      task: "child",
      id: "r2",
      task_msg: 'disk "on" fire',
    });
  });

  it("yields a done message's children once when it is delivered twice", async () => {
    const { log } = await start({ "chain.toml": chain });
    const msg = done({
      id: "d1",
      result: "complete",
      created: "2024-01-15T00:00:00Z",
      meta: "workflow=chain.toml",
    });
    const js = jetstream(nc);
    await js.publish("done", msg);
    await js.publish("done", msg);
    await log.until("taskDone", () => log.of("taskDone").length === 2);
    await log.until("taskPublished", () => log.of("taskPublished").length === 2);
    const children = log.of("taskPublished").filter((e) => e.emission.task.type === "child");
    expect(children.map((e) => e.duplicate)).toEqual([false, true]);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info("TASKMASTER_TASKS")).state.messages).toBe(1);
  });

  it("terminates a malformed done message with a clear reason and goes on with the next", async () => {
    const { log } = await start({ "chain.toml": chain });
    const js = jetstream(nc);
    await js.publish("done", encoder.encode("{not json"));
    await js.publish("done", encoder.encode('{"type":"root","result":"finished"}'));
    await js.publish("done", done({ id: "ok", result: "complete", meta: "workflow=chain.toml" }));
    await log.until("taskPublished", (e) => e.emission.task.type === "child");
    expect(log.of("messageRejected").map((e) => e.reason)).toEqual([
      expect.stringMatching(/^not valid JSON/),
      'result: must be one of complete, error, alert, warn, got "finished"',
    ]);
    const jsm = await jetstreamManager(nc);
    await waitFor(
      async () => {
        const consumer = await jsm.consumers.info("TASKMASTER_DONE", "taskmaster-done");
        return consumer.num_ack_pending + consumer.num_pending === 0;
      },
      { message: "every done message acked or terminated" },
    );
  });

  it("reloads a changed workflow, and keeps the last good set when a reload has errors", async () => {
    const { dir, svc, log } = await start({ "chain.toml": chain });
    log.events.length = 0;
    writeWorkflows(dir, { "extra.toml": '[[phase]]\ntask = "extra"\nrule = "cron=@daily"\n' });
    const reloaded = await log.until("workflowsReloaded");
    expect(reloaded).toMatchObject({ workflows: 2, changed: ["extra.toml"] });
    writeFileSync(join(dir, "extra.toml"), '[[phase]]\ntask = "extra"\nrule = "cron=not a cron"\n');
    const rejected = await log.until("workflowsRejected");
    expect(rejected.problems.filter((p) => p.severity === "error").map((p) => p.message)).toEqual([
      expect.stringMatching(/^invalid cron "not a cron"/),
    ]);
    expect(svc.engine.snapshot()?.phases.map((p) => p.key)).toContain("extra");
    expect(
      svc.scheduler
        .state()
        .map((s) => s.phase)
        .sort(),
    ).toEqual(["extra", "root"]);
    rmSync(join(dir, "extra.toml"));
    await log.until("workflowsReloaded", (e) => e.changed.includes("-extra.toml"));
    expect(svc.scheduler.state().map((s) => s.phase)).toEqual(["root"]);
  });

  it.each([
    ["all", 10, 0],
    ["latest", 1, 9],
    ["none", 0, 10],
  ])("catches up missed minute slots with catchup=%s", async (rule, fired, skipped) => {
    const wf = `[[phase]]\ntask = "m"\nrule = "cron=0 * * * * *&catchup=${rule}&catchup_window=1h"\n`;
    const store = await kvSlotStore(nc, cronBucket);
    // Half a minute into a minute that stays put while the service starts, however slow the start.
    const lastMinute = Math.floor(Date.now() / 60_000) * 60_000;
    await store.set("w.toml|m", new Date(lastMinute - 10 * 60_000));
    const { log } = await start({ "w.toml": wf }, [], manualClock(lastMinute + 30_000));
    expect(log.of("cronFired").filter((e) => e.phase === "m")).toHaveLength(fired);
    const skips = log.of("cronSkipped");
    expect(skips.reduce((n, e) => n + e.skipped, 0)).toBe(skipped);
    expect(published(log, "m")).toHaveLength(fired);
  });

  it("refuses to start when a task subject is one of its own", async () => {
    const dir = workflowDir({ "w.toml": '[[phase]]\ntask = "done"\nrule = "cron=@daily"\n' });
    await expect(startEngine(testConfig(server.url, dir), dir)).rejects.toThrow(
      'w.toml: done: its subject "done" is the done_topic; rename the topic',
    );
  });

  it.each([
    ["taskmaster.events.alert", "taskmaster's journal subject"],
    ["taskmaster.control.reload", "taskmaster's reload request subject"],
  ])("refuses to start when a task subject is %s", async (topic, name) => {
    const dir = workflowDir({ "w.toml": `[[phase]]\ntask = "${topic}"\nrule = "cron=@daily"\n` });
    await expect(startEngine(testConfig(server.url, dir), dir)).rejects.toThrow(
      `w.toml: ${topic}: its subject "${topic}" is the ${name}; rename the topic`,
    );
  });
});

function assertNever(): never {
  throw new Error("no root phase");
}
