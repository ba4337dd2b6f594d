import { afterEach, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../internal/alert/blocks.ts";
import { createSlackSender, type SlackEvent, type SlackSender } from "../../internal/alert/slack.ts";
import { type ScriptedReply, SlackSink } from "../helpers/slack.ts";

const answers: Record<number, string> = { 400: "invalid_blocks", 404: "no_service", 429: "rate_limited" };
const status = (code: number, headers: Record<string, string> = {}): ScriptedReply => ({
  status: code,
  body: answers[code] ?? "rollup_error",
  headers,
});

/** Collects events; `until` resolves once a predicate over them holds, so tests await instead of sleeping. */
function recorder() {
  const events: SlackEvent[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  const onEvent = (e: SlackEvent) => {
    events.push(e);
    for (const w of waiters.filter((w) => w.check())) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const until = (check: (events: SlackEvent[]) => boolean) =>
    new Promise<void>((resolve) => {
      if (check(events)) resolve();
      else waiters.push({ check: () => check(events), resolve });
    });
  const count = (type: SlackEvent["type"]) => events.filter((e) => e.type === type).length;
  return { events, onEvent, until, count };
}

const message = (n: number): SlackMessage => ({
  text: `message ${n}`,
  blocks: [{ type: "section", text: { type: "mrkdwn", text: `*message ${n}*` } }],
});

const reasons = (events: SlackEvent[]) => events.flatMap((e) => ("reason" in e ? [e.reason] : [])).join("\n");

let slack: SlackSink;
let sender: SlackSender | null = null;
afterEach(async () => {
  await sender?.close();
  sender = null;
  await slack.stop();
});

describe("slack sender", () => {
  it("posts text, blocks and channel through the real client", async () => {
    slack = new SlackSink();
    await slack.start();
    const rec = recorder();
    sender = createSlackSender({ url: slack.url, channel: "#alerts", onEvent: rec.onEvent });
    sender.send(message(1));
    await rec.until(() => rec.count("slackSent") === 1);
    expect(slack.accepted).toEqual([{ channel: "#alerts", ...message(1) }]);
    expect(sender.stats()).toEqual({ sent: 1, failed: 0, dropped: 0, queued: 0, disabled: 0 });
  });

  it("waits as long as a 429's Retry-After says, then delivers", async () => {
    slack = new SlackSink();
    slack.script.push(status(429, { "Retry-After": "1" }));
    await slack.start();
    const rec = recorder();
    sender = createSlackSender({ url: slack.url, onEvent: rec.onEvent });
    sender.send(message(1));
    await rec.until(() => rec.count("slackSent") === 1);
    const [first = 0, second = 0] = slack.received.map((r) => r.at);
    expect(second - first).toBeGreaterThanOrEqual(900);
    expect(rec.events[0]).toMatchObject({ type: "slackRetry", attempt: 1, waitMs: 1000 });
    expect(reasons(rec.events)).toContain("HTTP 429");
  });

  it("retries a 500 with doubling backoff, then delivers", async () => {
    slack = new SlackSink();
    slack.script.push(status(500), status(500), status(500));
    await slack.start();
    const rec = recorder();
    sender = createSlackSender({ url: slack.url, baseBackoffMs: 50, onEvent: rec.onEvent });
    sender.send(message(1));
    await rec.until(() => rec.count("slackSent") === 1);
    const waits = rec.events.flatMap((e) => (e.type === "slackRetry" ? [e.waitMs] : []));
    expect(waits).toEqual([50, 100, 200]);
    expect(slack.received).toHaveLength(4);
  });

  it("gives up after maxAttempts, counts it and goes on with the next message", async () => {
    slack = new SlackSink();
    slack.script.push(status(500), status(500));
    await slack.start();
    const rec = recorder();
    sender = createSlackSender({ url: slack.url, maxAttempts: 2, baseBackoffMs: 20, onEvent: rec.onEvent });
    sender.send(message(1));
    sender.send(message(2));
    await rec.until(() => rec.count("slackSent") === 1);
    expect(rec.events.map((e) => e.type)).toEqual(["slackRetry", "slackFailed", "slackSent"]);
    expect(sender.stats()).toMatchObject({ sent: 1, failed: 1 });
  });

  it("fails at once when Slack refuses the hook (404): a revoked hook does not get better", async () => {
    slack = new SlackSink();
    slack.script.push(status(404));
    await slack.start();
    const rec = recorder();
    sender = createSlackSender({ url: slack.url, onEvent: rec.onEvent });
    sender.send(message(1));
    await rec.until(() => rec.count("slackFailed") === 1);
    expect(rec.count("slackRetry")).toBe(0);
  });

  it("sends a message Slack refuses for its content again as plain text, and goes on with the next", async () => {
    slack = new SlackSink();
    await slack.start();
    const rec = recorder();
    sender = createSlackSender({ url: slack.url, onEvent: rec.onEvent });
    const long = "&amp;".repeat(1000); // 5000 characters: over a section's 3000
    sender.send({
      text: `too long ${long}`,
      blocks: [{ type: "section", text: { type: "mrkdwn", text: long } }],
    });
    sender.send(message(2));
    await rec.until(() => rec.count("slackSent") === 2);
    expect(slack.refusals).toEqual(["invalid_blocks"]);
    expect(rec.events.map((e) => e.type)).toEqual(["slackRefused", "slackSent", "slackSent"]);
    expect(reasons(rec.events)).toContain("HTTP 400: invalid_blocks");
    const [plain, next] = slack.accepted;
    expect(plain?.blocks).toBeUndefined();
    expect(String(plain?.text)).toMatch(
      /^too long &amp;(&amp;)+…\n\(cut, and sent as plain text: Slack refused/,
    );
    expect(String(plain?.text).length).toBeLessThanOrEqual(4000);
    expect(next).toEqual(message(2));
    expect(sender.stats()).toMatchObject({ sent: 2, failed: 0 });
  });

  it("sends a refused message whole as plain text when its text is short, also after a 413", async () => {
    slack = new SlackSink();
    slack.script.push({ status: 413, body: "request_too_large" });
    await slack.start();
    const rec = recorder();
    sender = createSlackSender({ url: slack.url, onEvent: rec.onEvent });
    sender.send(message(1));
    await rec.until(() => rec.count("slackSent") === 1);
    expect(rec.events.map((e) => e.type)).toEqual(["slackRefused", "slackSent"]);
    expect(slack.accepted).toEqual([
      { text: "message 1\n(sent as plain text: Slack refused the formatted message)" },
    ]);
  });

  it("fails a message whose plain version is refused too, and goes on with the next", async () => {
    slack = new SlackSink();
    slack.script.push(status(400), status(400));
    await slack.start();
    const rec = recorder();
    sender = createSlackSender({ url: slack.url, onEvent: rec.onEvent });
    sender.send(message(1));
    sender.send({ text: "" }); // no text and no blocks: refused, and nothing plainer to send
    sender.send(message(3));
    await rec.until(() => rec.count("slackSent") === 1);
    expect(rec.events.map((e) => e.type)).toEqual([
      "slackRefused",
      "slackFailed",
      "slackFailed",
      "slackSent",
    ]);
    expect(slack.refusals).toEqual(["invalid_blocks", "invalid_blocks", "no_text"]);
    expect(slack.accepted).toEqual([message(3)]);
    expect(sender.stats()).toMatchObject({ sent: 1, failed: 2 });
  });

  it("never blocks while Slack is down: bounded queue, then delivers when it is back", async () => {
    slack = new SlackSink();
    await slack.start();
    await slack.stop(); // Slack is down; its port is kept to come back on.
    const rec = recorder();
    sender = createSlackSender({ url: slack.url, maxQueue: 10, baseBackoffMs: 300, onEvent: rec.onEvent });
    for (let i = 0; i < 1000; i++) expect(sender.send(message(i))).toBeUndefined();
    expect(sender.stats()).toMatchObject({ queued: 10, dropped: 990, sent: 0 });
    await rec.until(() => rec.count("slackRetry") >= 1);
    await slack.start(slack.port);
    await rec.until(() => rec.count("slackSent") === 10);
    expect(slack.accepted.map((b) => b.text)).toEqual(
      Array.from({ length: 10 }, (_, i) => `message ${990 + i}`),
    );
    expect(rec.events.find((e) => e.type === "slackDropped")).toEqual({ type: "slackDropped", count: 990 });
    expect(reasons(rec.events)).toMatch(/ECONNREFUSED/);
  });

  it("never puts the webhook URL in a reason", async () => {
    slack = new SlackSink();
    slack.script.push(status(500));
    await slack.start();
    const rec = recorder();
    sender = createSlackSender({ url: slack.url, maxAttempts: 1, onEvent: rec.onEvent });
    sender.send(message(1));
    await rec.until(() => rec.count("slackFailed") === 1);
    await slack.stop();
    // A network error too, and a URL the fetch cannot even parse (its error quotes the URL).
    const bad = createSlackSender({ url: "http://exa mple/services/SECRETxyz123", maxAttempts: 1, ...rec });
    bad.send(message(2));
    sender.send(message(3));
    await rec.until(() => rec.count("slackFailed") === 3);
    await bad.close();
    expect(reasons(rec.events)).toMatch(/HTTP 500[\s\S]*Invalid URL[\s\S]*ECONNREFUSED/);
    expect(reasons(rec.events)).not.toMatch(/SECRETxyz123|services/);
  });

  it("close drops what is queued and stops retrying; a sender without a URL only counts", async () => {
    slack = new SlackSink();
    slack.script.push(status(500));
    await slack.start();
    const rec = recorder();
    sender = createSlackSender({ url: slack.url, baseBackoffMs: 60_000, onEvent: rec.onEvent });
    sender.send(message(1));
    sender.send(message(2));
    await rec.until(() => rec.count("slackRetry") === 1);
    await sender.close();
    expect(sender.stats()).toMatchObject({ sent: 0, dropped: 2, queued: 0 });
    const disabled = createSlackSender({ url: "" });
    disabled.send(message(1));
    expect(disabled.stats()).toEqual({ sent: 0, failed: 0, dropped: 0, queued: 0, disabled: 1 });
  });
});
