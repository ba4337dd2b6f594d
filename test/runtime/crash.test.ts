// What survives a crash: a waiting retry survives SIGKILL of taskmaster; tasks survive SIGKILL of nats-server;
// SIGTERM drains and exits 0.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { type EngineRole, startEngine } from "../../cmd/taskmaster/engine.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { parseMeta, type Task, taskJson } from "../../internal/task/index.ts";
import { startWorker, type Worker } from "../../internal/worker/index.ts";
import type { NatsServer } from "../helpers/nats.ts";
import { natsPerFile } from "../helpers/natsfile.ts";
import { waitFor } from "../helpers/wait.ts";
import { EventLog, testConfig, workflowDir } from "./harness.ts";
import { startTaskmaster, type TaskmasterProcess } from "./process.ts";

let server: NatsServer;
let nc: NatsConnection;
const { cleanups } = natsPerFile("crash-test", (s, c) => {
  server = s;
  nc = c;
});

const encoder = new TextEncoder();
const rootDone = (id: string) =>
  encoder.encode(
    taskJson({
      type: "root",
      info: "",
      id,
      result: "complete",
      created: "2024-01-15T00:00:00Z",
      meta: "workflow=w.toml",
    }),
  );

function worker(topic: string, handle: (t: Task) => "complete" | "error"): { seen: Task[]; worker: Worker } {
  const seen: Task[] = [];
  const w = startWorker(nc, {
    topic,
    concurrency: 16,
    graceMs: 1000,
    handler: async (t) => {
      seen.push(t);
      return { result: handle(t) };
    },
  });
  cleanups.push(() => w.stop());
  return { seen, worker: w };
}

function track(p: TaskmasterProcess): TaskmasterProcess {
  cleanups.push(() => (p.child.exitCode === null ? p.kill("SIGKILL") : Promise.resolve()));
  return p;
}

describe("crashes", () => {
  it("sends a waiting retry at its time even when taskmaster is SIGKILLed and restarted meanwhile", async () => {
    const dir = workflowDir({
      "w.toml": `[[phase]]\ntask = "root"\nrule = "cron=@yearly"\n
[[phase]]\ntask = "child"\ndependsOn = "root"\nretry = 1\nrule = "retry_delay=3s&backoff=1"\n`,
    });
    const first = track(await startTaskmaster(server.url, dir));
    const { seen } = worker("child", (t) => (parseMeta(t.meta).get("retry") ? "complete" : "error"));
    await jetstream(nc).publish("done", rootDone("k1"));
    const scheduled = await first.waitForLine((l) => l.msg === "retry scheduled");
    const due = Date.parse(String(scheduled.due));
    expect(await first.kill("SIGKILL")).toBeNull();
    expect(seen).toHaveLength(1);

    const second = track(await startTaskmaster(server.url, dir));
    await waitFor(() => seen.length === 2, { timeoutMs: 15_000, message: "the retried child" });
    const arrived = Date.now();
    expect(arrived).toBeGreaterThanOrEqual(due - 50);
    expect(arrived - due).toBeLessThan(3000);
    expect(parseMeta(seen[1]?.meta).get("retry")).toBe("1");
    expect(seen[1]?.id).toBe("k1");
    await second.kill("SIGTERM");
  }, 40_000);

  it("loses no task and stores none twice when nats-server is SIGKILLed mid-run and restarted", async () => {
    const dir = workflowDir({
      "w.toml":
        '[[phase]]\ntask = "root"\nrule = "cron=@yearly"\n\n[[phase]]\ntask = "child"\ndependsOn = "root"\n',
    });
    const events = new EngineEvents();
    const log = new EventLog(events);
    const service: EngineRole = await startEngine(testConfig(server.url, dir), dir, events);
    cleanups.push(() => service.stop());
    const { seen } = worker("child", () => "complete");
    const total = 400;
    const js = jetstream(nc);
    await Promise.all(Array.from({ length: total / 2 }, (_, i) => js.publish("done", rootDone(`a${i}`))));
    await server.kill();
    await log.until("natsStatus", (e) => e.status === "disconnect"); // the service has lost its server
    server = await server.restart();
    const js2 = jetstream(nc);
    await waitFor(async () => (await js2.publish("done", rootDone("a0")).catch(() => null)) !== null, {
      timeoutMs: 15_000,
      message: "NATS back",
    });
    await Promise.all(Array.from({ length: total / 2 }, (_, i) => js2.publish("done", rootDone(`b${i}`))));
    // What taskmaster guarantees: every child is stored in the tasks stream, once. (A worker on a plain core
    // subscription can still miss a task published while its own connection was down; the stream has it.)
    const jsm = await jetstreamManager(nc);
    const stored = async () => (await jsm.streams.info("TASKMASTER_TASKS")).state.messages;
    await waitFor(async () => (await stored()) >= total, {
      timeoutMs: 30_000,
      message: `${total} children stored`,
    });
    // Nothing more may arrive: every done message has been delivered, and none is being worked on or published.
    // (Those delivered before the kill and never acked come back only after the consumer's ack_wait, 30 s; their
    // children would carry the message ids already stored.)
    await waitFor(
      async () => {
        const c = await jsm.consumers.info("TASKMASTER_DONE", "taskmaster-done");
        const s = service.state().engine;
        return c.num_pending === 0 && s.inFlight === 0 && s.publishing === 0;
      },
      { timeoutMs: 30_000, message: "every done message delivered, nothing in flight" },
    );
    expect(await stored()).toBe(total);
    // Every child was acked by the stream (first time or as a duplicate of an unacked first try).
    expect(new Set(log.of("taskPublished").map((e) => e.emission.task.id)).size).toBe(total);
    expect(seen.length).toBeGreaterThan(0);
  }, 60_000);

  it("drains on SIGTERM and exits 0 within 10 s", async () => {
    const dir = workflowDir({ "w.toml": '[[phase]]\ntask = "root"\nrule = "cron=* * * * * *"\n' });
    const p = track(await startTaskmaster(server.url, dir));
    await p.waitForLine((l) => l.msg === "cron fired");
    const started = Date.now();
    expect(await p.kill("SIGTERM")).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(p.lines.some((l) => l.msg === "taskmaster stopped")).toBe(true);
  }, 30_000);
});
