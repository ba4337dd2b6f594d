import { describe, expect, it } from "vitest";
import { shownText, slackRefusal } from "../../test/helpers/slack.ts";
import type { SlackMessage } from "./blocks.ts";
import {
  type AlertItem,
  buildDigest,
  buildImmediate,
  buildRunning,
  type DigestInput,
  type Resolved,
} from "./digest.ts";

const at = new Date("2024-03-05T10:20:00Z");
const hour = (h: number) => new Date(Date.UTC(2024, 2, 5, h));

function alert(taskType: string, job: string, h: number | null, over: Partial<AlertItem> = {}): AlertItem {
  const dataTime = h === null ? null : hour(h);
  return { kind: "retries-exhausted", taskType, job, taskId: "id-1", dataTime, message: "boom", at, ...over };
}

const base = { resolved: [] as Resolved[], prefix: "", dashboardUrl: "https://tm.example/", now: at };

/** The digest, which fits one message. */
function digestOf(input: DigestInput): SlackMessage & { blocks: readonly unknown[] } {
  const messages = buildDigest(input);
  expect(messages).toHaveLength(1);
  const [message] = messages;
  if (message?.blocks === undefined) throw new Error("a digest without blocks");
  return { ...message, blocks: message.blocks };
}

describe("buildDigest", () => {
  it("groups by type:job, count desc then key asc, with kinds and data-time ranges", () => {
    const alerts = [
      alert("load", "", 1),
      alert("extract", "b", 3),
      alert("extract", "b", 4),
      alert("extract", "b", null, { kind: "incomplete", message: "INCOMPLETE: not finished" }),
      alert("extract", "a", 7),
      alert("extract", "a", 9),
    ];
    const { text, blocks } = digestOf({ ...base, alerts });
    const lines = text.split("\n");
    expect(lines[0]).toBe("Taskmaster: 6 alerts in 3 phases");
    expect(lines[1]).toBe("*extract:b*  3 × retries-exhausted, incomplete");
    expect(lines[2]).toBe("data times: 2024/03/05T03-2024/03/05T04");
    expect(lines[3]).toBe("> INCOMPLETE: not finished");
    expect(lines[4]).toBe("*extract:a*  2 × retries-exhausted");
    expect(lines[5]).toBe("data times: 2024/03/05T07,2024/03/05T09");
    expect(text).toContain("*load*  1 × retries-exhausted\ndata times: 2024/03/05T01");
    expect(lines.at(-1)).toBe("<https://tm.example/alerts?date=2024-03-05|alerts of 2024-03-05>");
    expect(blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: lines[0] } });
    expect(blocks.filter((b) => (b as { type: string }).type === "section")).toHaveLength(3);
    expect(blocks.at(-1)).toEqual({ type: "context", elements: [{ type: "mrkdwn", text: lines.at(-1) }] });
  });

  it("puts the prefix before the header and singular words for one", () => {
    const { text } = digestOf({ ...base, prefix: "prod", alerts: [alert("load", "", 1)] });
    expect(text.split("\n")[0]).toBe("[prod] Taskmaster: 1 alert in 1 phase");
  });

  it("lists what has resolved since, with its data times", () => {
    const resolved: Resolved[] = [
      { taskType: "extract", job: "b", dataTime: hour(3), at },
      { taskType: "extract", job: "b", dataTime: hour(4), at },
      { taskType: "load", job: "", dataTime: null, at },
    ];
    const { text, blocks } = digestOf({ ...base, alerts: [alert("x", "", 1)], resolved });
    expect(text).toContain("*Resolved since*\n• extract:b 2024/03/05T03-2024/03/05T04\n• load");
    expect(blocks).toContainEqual({ type: "divider" });
  });

  it("escapes Slack markup in data and omits the link without a dashboard", () => {
    const alerts = [alert("a<b>", "&", 1, { message: "<!channel> x" })];
    const { text } = digestOf({ ...base, dashboardUrl: "", alerts });
    expect(text).toContain("*a&lt;b&gt;:&amp;*");
    expect(text).toContain("&lt;!channel&gt; x");
    expect(text).not.toContain("alerts?date");
  });
});

describe("buildImmediate", () => {
  it("names the phase, task, data time and message, and links the alert's day", () => {
    const item = alert("extract", "b", 3, { kind: "task-alert", taskId: "abc", message: "disk full" });
    const { text, blocks } = buildImmediate(item, "prod", "https://tm.example");
    expect(text).toBe(
      [
        "[prod] Taskmaster alert: extract:b",
        "*extract:b*  task-alert",
        "task: `abc`",
        "data time: 2024/03/05T03",
        "```disk full```",
        "<https://tm.example/alerts?date=2024-03-05|alerts of 2024-03-05>",
      ].join("\n"),
    );
    expect(blocks).toHaveLength(4);
  });
});

describe("within Slack's limits, with the longest inputs", () => {
  const shown = (messages: readonly SlackMessage[]) => messages.map((m) => shownText({ ...m })).join("\n");

  it("sends a digest whose heading, message and data times are huge, and names every phase in some message", () => {
    const manyHours = Array.from(
      { length: 500 },
      (_, i) => new Date(Date.UTC(2024, 0, 1) + i * 2 * 3_600_000),
    );
    const huge = manyHours.map((dataTime) =>
      alert("x", "<".repeat(10_000), null, {
        dataTime,
        kind: ">".repeat(5_000),
        message: "&".repeat(100_000),
      }),
    );
    const phases = Array.from({ length: 500 }, (_, i) =>
      alert("load", `p${String(i).padStart(3, "0")}`, 3, { message: `${"<b>".repeat(100)} failed` }),
    );
    const resolved = Array.from({ length: 30 }, (_, i) => ({
      taskType: "&".repeat(5_000),
      job: `${i}`,
      dataTime: null,
      at,
    }));
    const prefix = "<".repeat(500);
    const messages = buildDigest({ ...base, prefix, alerts: [...huge, ...phases], resolved });

    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) {
      expect(slackRefusal(JSON.stringify(m))).toBeNull();
      expect(m.text.length).toBeLessThanOrEqual(4000);
    }
    const text = shown(messages);
    for (const p of phases) expect(text).toContain(`*load:${p.job}*  1 × retries-exhausted`);
    expect(text).toMatch(/\*x:(&lt;)+…\* {2}500 × (&gt;)+…/);
    expect(text).toMatch(/> (&amp;)+…/);
    expect(text).toContain("*Resolved since*");
    expect(text).toContain("alerts of 2024-03-05");
    const headers = messages.map(
      (m) => (m.blocks?.[0] as { text?: { text?: string } } | undefined)?.text?.text,
    );
    const n = messages.length;
    expect(headers.at(-1)).toMatch(
      new RegExp(`^\\[<+…\\] Taskmaster: 1000 alerts in 501 phases \\(${n}/${n}\\)$`),
    );
  });

  it("sends a task's alert with a huge message, phase and task id within the limits, cut after escaping", () => {
    const item = alert("x", "<".repeat(10_000), 3, {
      kind: "task-alert",
      taskId: ">".repeat(10_000),
      message: "&".repeat(100_000),
    });
    const message = buildImmediate(item, "", "https://tm.example");
    expect(slackRefusal(JSON.stringify(message))).toBeNull();
    expect(message.text.length).toBeLessThanOrEqual(4000);
    const sections = (message.blocks ?? []).map((b) => (b as { text?: { text: string } }).text?.text ?? "");
    expect(sections[1]).toMatch(
      /^\*x:(&lt;)+…\* {2}task-alert\ntask: `(&gt;)+…`\ndata time: 2024\/03\/05T03$/,
    );
    expect(sections[2]).toMatch(/^```(&amp;)+…```$/);
    expect(sections[2]?.length).toBeGreaterThan(2900);
  });
});

describe("buildRunning (flowlord's /notify)", () => {
  it("escapes the prefix and the version, so a prefix cannot ping the channel, and stays within Slack's limits", () => {
    const state = { version: "1.2.3", upSeconds: 42, nats: "connected", workflows: 3, phases: 1 };
    const message = buildRunning(state, "<!channel> & prod");
    expect(slackRefusal(JSON.stringify(message))).toBeNull();
    expect(message.text).not.toContain("<!channel>");
    expect(message.text).toContain("&lt;!channel&gt; &amp; prod");
    expect(shownText({ ...message })).toContain(
      "taskmaster 1.2.3 is running (up 42 s): NATS connected, 3 workflows, 1 phase",
    );
    const long = buildRunning({ ...state, version: "<".repeat(5000) }, "x".repeat(5000));
    expect(slackRefusal(JSON.stringify(long))).toBeNull();
  });
});
