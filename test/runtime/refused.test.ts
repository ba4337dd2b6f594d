// Done messages whose consequences cannot be published, against a real nats-server and its real 1 MiB payload
// limit: they are refused and recorded once, and the done messages after them get their children.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type EngineRole, startEngine } from "../../cmd/taskmaster/engine.ts";
import { connectNats } from "../../internal/bus/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { type Result, taskJson } from "../../internal/task/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { EventLog, testConfig, workflowDir } from "./harness.ts";

let server: NatsServer;
let nc: NatsConnection;
let service: EngineRole | undefined;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "refused-test" });
});

afterEach(async () => {
  await service?.stop();
  service = undefined;
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

// A retry waits an hour: its record stays in the retry stream for the whole test.
const workflow = `
[[phase]]
task = "big"
rule = "cron=0 0 0 1 1 *&retry_delay=1h"
retry = 1

[[phase]]
task = "child"
dependsOn = "big"
template = "?parent={meta:workflow}"
`;

async function start(flags: string[] = []) {
  const dir = workflowDir({ "wf.toml": workflow });
  const events = new EngineEvents();
  const log = new EventLog(events);
  service = await startEngine(testConfig(server.url, dir, flags), dir, events);
  return { log, svc: service };
}

const encoder = new TextEncoder();
const doneOf = (id: string, result: Result, info = "") =>
  encoder.encode(
    taskJson({
      type: "big",
      info,
      id,
      created: "2024-01-15T00:00:00Z",
      meta: "workflow=wf.toml",
      result,
    }),
  );

async function settled(svc: EngineRole): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await waitFor(
    async () => {
      const c = await jsm.consumers.info("TASKMASTER_DONE", "taskmaster-done");
      const s = svc.state().engine;
      return c.num_pending + c.num_ack_pending === 0 && s.inFlight === 0 && s.publishing === 0;
    },
    { timeoutMs: 60_000, message: "every done message acked or terminated, nothing in flight" },
  );
}

describe("done messages whose consequences cannot be published", () => {
  it("stores big retries, refuses oversized ones once each, and the ordinary messages after them get their children", async () => {
    const { svc, log } = await start();
    const maxPayload = nc.info?.max_payload ?? 0;
    expect(maxPayload).toBe(1024 * 1024);
    const js = jetstream(nc);
    // More big failures than the engine has slots (256): each one's retry is over half the limit.
    const big = "x".repeat(540 * 1024);
    for (let i = 0; i < 260; i++) await js.publish("done", doneOf(`big-${i}`, "error", big));
    // A done message just under the limit: its retry (the same task and its record's fields) is over it.
    const huge = "y".repeat(maxPayload - 300);
    for (let i = 0; i < 3; i++) {
      const data = doneOf(`huge-${i}`, "error", huge);
      expect(data.length).toBeLessThanOrEqual(maxPayload);
      await js.publish("done", data);
    }
    for (let i = 0; i < 100; i++) await js.publish("done", doneOf(`ok-${i}`, "complete"));

    await waitFor(() => log.of("taskPublished").filter((e) => e.emission.kind === "child").length === 100, {
      timeoutMs: 120_000,
      message: "a child for each of the 100 ordinary done messages",
    });
    await settled(svc);
    const children = log.of("taskPublished").filter((e) => e.emission.kind === "child");
    expect(new Set(children.map((e) => e.emission.task.id))).toEqual(
      new Set(Array.from({ length: 100 }, (_, i) => `ok-${i}`)),
    );
    const scheduled = log.of("retryScheduled").map((e) => e.task.id);
    expect(new Set(scheduled).size).toBe(260);
    expect(scheduled).toHaveLength(260);
    const rejected = log.of("messageRejected");
    expect(rejected).toHaveLength(3);
    for (const r of rejected) {
      expect(r.subject).toBe("done");
      expect(r.reason).toMatch(
        /^the retry record of big \(id huge-\d\) would be \d+ bytes, over the \d+ bytes NATS takes \(max_payload\); nothing of it was published$/,
      );
    }
    expect(log.of("error")).toEqual([]);
    expect(svc.state()).toMatchObject({ ready: true, engine: { stuck: false, oldestMs: 0 } });
  }, 180_000);
});
