// Alerts through the running service to a loopback HTTP server standing in for Slack, receiving what the real
// @slack/webhook client posts: digests, an immediate alert, Slack down while tasks flow, no resend after a restart.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Service, startService } from "../../cmd/taskmaster/service.ts";
import { connectNats } from "../../internal/bus/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { EventLog, testConfig, workflowDir } from "./harness.ts";

let server: NatsServer;
let nc: NatsConnection;
let slack: Server;
let slackUrl = "";
let slackDown = false;
const posts: { text: string; blocks: unknown[] }[] = [];
let service: Service | undefined;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "alerts-test" });
  slack = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      if (slackDown) {
        res.writeHead(500).end("down");
        return;
      }
      posts.push(JSON.parse(body) as { text: string; blocks: unknown[] });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => slack.listen(0, "127.0.0.1", r));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T000/B000/not-for-logs`;
});

afterEach(async () => {
  await service?.stop();
  service = undefined;
  posts.length = 0;
  slackDown = false;
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await new Promise((r) => slack.close(r));
});

const workflow = `
[[phase]]
task = "root"
rule = "cron=@yearly"

[[phase]]
task = "load"
dependsOn = "root"
template = "?day={yyyy}-{mm}-{dd}T{hh}"
`;

async function start(dir = workflowDir({ "w.toml": workflow })) {
  const events = new EngineEvents();
  const log = new EventLog(events);
  const flags = ["--slack.url", slackUrl, "--slack.min_frequency", "1s", "--slack.prefix", "test"];
  service = await startService(testConfig(server.url, dir, flags), dir, events);
  return { dir, log, svc: service };
}

/** A finished load task whose data hour is `hour` (from its cron meta, as a cron child carries it). */
const done = (fields: Record<string, string>, hour: string) =>
  jetstream(nc).publish(
    "done",
    taskJson({
      type: "load",
      info: `?day=2026-11-23T${hour}`,
      created: "2026-11-23T10:00:00Z",
      meta: `cron=2026-11-23T${hour}&workflow=w.toml`,
      ...fields,
    }),
  );

describe("alerts to Slack", () => {
  it("sends an alert result at once, and a digest of everything grouped by phase with its data hours", async () => {
    await start();
    await done({ id: "a", result: "error", msg: "disk on fire" }, "03");
    await done({ id: "b", result: "error", msg: "disk on fire" }, "04");
    await done({ id: "c", result: "alert", msg: "numbers look wrong" }, "05");
    await waitFor(() => posts.some((p) => p.text.includes("numbers look wrong")), {
      message: "the immediate alert",
    });

    await waitFor(() => posts.some((p) => p.text.includes("2026/11/23T03-2026/11/23T05")), {
      timeoutMs: 8000,
      message: `a digest (${JSON.stringify(posts.map((p) => p.text))})`,
    });
    const digest = posts.find((p) => p.text.includes("2026/11/23T03-2026/11/23T05"));
    expect(digest?.text).toContain("[test]");
    expect(digest?.text).toMatch(/<http:\/\/localhost:8080\/web\/alerts\?date=\d{4}-\d{2}-\d{2}\|/); // the dashboard's page
    expect(digest?.text).toContain("load");
    expect(digest?.blocks.length).toBeGreaterThan(1);
  });

  it("keeps tasks flowing at full speed while Slack is down, and delivers once it is back", async () => {
    slackDown = true;
    const { log } = await start();
    const js = jetstream(nc);
    const roots = Array.from({ length: 1000 }, (_, i) =>
      js.publish(
        "done",
        taskJson({ type: "root", info: "", id: `r${i}`, result: "complete", meta: "workflow=w.toml" }),
      ),
    );
    await Promise.all(roots);
    await done({ id: "x", result: "error", msg: "broken" }, "08");
    const jsm = await jetstreamManager(nc);
    await waitFor(async () => (await jsm.streams.info("TASKMASTER_TASKS")).state.messages === 1000, {
      timeoutMs: 15_000,
      message: "1 000 children stored",
    });
    await log.until("taskFailed");
    expect(posts).toHaveLength(0);
    slackDown = false;
    await waitFor(() => posts.some((p) => p.text.includes("2026/11/23T08")), {
      timeoutMs: 15_000,
      message: "the digest after Slack came back",
    });
  }, 40_000);

  it("does not send again after a restart what was already sent", async () => {
    const first = await start();
    await done({ id: "a", result: "error", msg: "disk on fire" }, "03");
    await waitFor(() => posts.length >= 1, { timeoutMs: 8000, message: "a digest" });
    await first.svc.stop();
    const before = posts.length;
    await start(first.dir);
    await new Promise((r) => setTimeout(r, 2500)); // two digest periods
    expect(posts.length).toBe(before);
  }, 20_000);
});
