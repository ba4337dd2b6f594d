import { describe, expect, it } from "vitest";
import { type AlertItem, buildDigest, buildImmediate, type Resolved } from "./digest.ts";

const at = new Date("2024-03-05T10:20:00Z");
const hour = (h: number) => new Date(Date.UTC(2024, 2, 5, h));

function alert(taskType: string, job: string, h: number | null, over: Partial<AlertItem> = {}): AlertItem {
  const dataTime = h === null ? null : hour(h);
  return { kind: "retries-exhausted", taskType, job, taskId: "id-1", dataTime, message: "boom", at, ...over };
}

const base = { resolved: [] as Resolved[], prefix: "", dashboardUrl: "https://tm.example/", now: at };

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
    const { text, blocks } = buildDigest({ ...base, alerts });
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
    const { text } = buildDigest({ ...base, prefix: "prod", alerts: [alert("load", "", 1)] });
    expect(text.split("\n")[0]).toBe("[prod] Taskmaster: 1 alert in 1 phase");
  });

  it("shows at most 20 groups and says how many more", () => {
    const alerts = Array.from({ length: 23 }, (_, i) => alert(`t${String(i).padStart(2, "0")}`, "", 1));
    const { text, blocks } = buildDigest({ ...base, alerts });
    expect(text).toContain("*t19*");
    expect(text).not.toContain("*t20*");
    expect(text).toContain("… and 3 more phases");
    expect(blocks.length).toBeLessThan(50);
  });

  it("lists what has resolved since, with its data times", () => {
    const resolved: Resolved[] = [
      { taskType: "extract", job: "b", dataTime: hour(3), at },
      { taskType: "extract", job: "b", dataTime: hour(4), at },
      { taskType: "load", job: "", dataTime: null, at },
    ];
    const { text, blocks } = buildDigest({ ...base, alerts: [alert("x", "", 1)], resolved });
    expect(text).toContain("*Resolved since*\n• extract:b 2024/03/05T03-2024/03/05T04\n• load");
    expect(blocks).toContainEqual({ type: "divider" });
  });

  it("escapes Slack markup in data and omits the link without a dashboard", () => {
    const alerts = [alert("a<b>", "&", 1, { message: "<!channel> x" })];
    const { text } = buildDigest({ ...base, dashboardUrl: "", alerts });
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
