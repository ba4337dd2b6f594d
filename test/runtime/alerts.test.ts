// Alerts through both roles (the engine raising them on the journal, the history sending them) to a loopback webhook that checks posts as Slack does (test/helpers/slack.ts),
// receiving what the real @slack/webhook client posts: digests, an immediate alert, Slack down while tasks flow, no
// resend after a restart, and alerts with the longest names and messages.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { SlackSink, shownText } from "../helpers/slack.ts";
import { waitFor } from "../helpers/wait.ts";
import { type BothRoles, startBoth } from "./both.ts";
import { testConfig, workflowDir } from "./harness.ts";

let server: NatsServer;
let nc: NatsConnection;
const slack = new SlackSink();
/** What Slack would have posted. */
const posts = () => slack.accepted as { text: string; blocks?: unknown[] }[];
let service: BothRoles | undefined;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "alerts-test" });
  await slack.start();
});

afterEach(async () => {
  await service?.stop();
  service = undefined;
  slack.reset();
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await slack.stop();
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
  const flags = ["--slack.url", slack.url, "--slack.min_frequency", "1s", "--slack.prefix", "test"];
  service = await startBoth(testConfig(server.url, dir, flags), dir);
  return { dir, log: service.log, svc: service };
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
    await waitFor(() => posts().some((p) => p.text.includes("numbers look wrong")), {
      message: "the immediate alert",
    });

    await waitFor(() => posts().some((p) => p.text.includes("2026/11/23T03-2026/11/23T05")), {
      timeoutMs: 8000,
      message: `a digest (${JSON.stringify(posts().map((p) => p.text))})`,
    });
    const digest = posts().find((p) => p.text.includes("2026/11/23T03-2026/11/23T05"));
    expect(digest?.text).toContain("[test]");
    expect(digest?.text).toMatch(/<http:\/\/localhost:8080\/web\/alerts\?date=\d{4}-\d{2}-\d{2}\|/); // the dashboard's page
    expect(digest?.text).toContain("load");
    expect(digest?.blocks?.length).toBeGreaterThan(1);
    expect(slack.refusals).toEqual([]);
  });

  it("delivers every alert of a big digest and an alert with a huge name and message, as Slack accepts them", async () => {
    await start();
    await done({ id: "huge", job: "<".repeat(10_000), result: "alert", msg: "&".repeat(100_000) }, "05");
    const jobs = Array.from({ length: 500 }, (_, i) => `j${String(i).padStart(3, "0")}`);
    const failures = jobs.map((job, i) =>
      done({ id: `e${i}`, job, result: "error", msg: `${"<b>".repeat(50)} broke` }, "03"),
    );
    await Promise.all(failures);
    const shown = () =>
      posts()
        .map((p) => shownText(p))
        .join("\n");
    const named = () => new Set([...shown().matchAll(/\*load:(j\d{3})\*/g)].map((m) => m[1]));
    await waitFor(() => named().size === jobs.length, {
      timeoutMs: 20_000,
      message: "each of the 500 phases named in a message Slack accepted",
    });
    const text = shown();
    expect(text).toMatch(/\*load:(&lt;)+…\* {2}task-alert\ntask: `huge`/); // the immediate alert
    expect(text).toMatch(/```(&amp;)+…```/);
    expect(text).toMatch(/\*load:(&lt;)+…\* {2}1 × task-alert/); // and in the digest
    expect(slack.refusals).toEqual([]);
    expect(slack.received.filter((r) => r.status !== 200 || r.truncated)).toEqual([]);
  }, 40_000);

  it("keeps tasks flowing at full speed while Slack is down, and delivers once it is back", async () => {
    slack.down = true;
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
    expect(posts()).toHaveLength(0);
    slack.down = false;
    await waitFor(() => posts().some((p) => p.text.includes("2026/11/23T08")), {
      timeoutMs: 15_000,
      message: "the digest after Slack came back",
    });
  }, 40_000);

  it("does not send again after a restart what was already sent", async () => {
    const first = await start();
    await done({ id: "a", result: "error", msg: "disk on fire" }, "03");
    await waitFor(() => posts().length >= 1, { timeoutMs: 8000, message: "a digest" });
    await first.svc.stop();
    const before = posts().length;
    await start(first.dir);
    // A failure after the restart: the next digest carries it, and nothing of what was sent before.
    await done({ id: "b", result: "error", msg: "disk on fire" }, "06");
    await waitFor(() => posts().some((p) => p.text.includes("2026/11/23T06")), {
      timeoutMs: 8000,
      message: "the digest after the restart",
    });
    expect(
      posts()
        .slice(before)
        .map((p) => p.text.includes("2026/11/23T03")),
    ).toEqual([false]);
  }, 20_000);
});
