import { describe, expect, it } from "vitest";
import { subjectClash } from "./clash.ts";
import { buildSnapshot } from "./snapshot.ts";

const own = {
  subjects: new Map([
    ["done", "done_topic"],
    ["taskmaster.retry", "taskmaster's retry subject"],
  ]),
  prefixes: new Map([["taskmaster.events.", "taskmaster's journal subject"]]),
};

const snapshotOf = (topic: string) =>
  buildSnapshot("/wf", [
    { name: "a.toml", path: "/wf/a.toml", text: `[[phase]]\ntask = "${topic}"\nrule = "cron=@hourly"\n` },
  ]);

describe("subjectClash", () => {
  it("accepts task subjects that are none of taskmaster's", () => {
    expect(subjectClash(snapshotOf("sales"), "", own)).toBeUndefined();
    expect(subjectClash(snapshotOf("done"), "tasks.", own)).toBeUndefined();
  });

  it("names the phase, its subject and which of taskmaster's subjects it is", () => {
    expect(subjectClash(snapshotOf("done"), "", own)).toBe(
      'a.toml: done: its subject "done" is the done_topic; rename the topic',
    );
    expect(subjectClash(snapshotOf("retry"), "taskmaster.", own)).toBe(
      'a.toml: retry: its subject "taskmaster.retry" is the taskmaster\'s retry subject; rename the topic',
    );
  });

  it("refuses any subject under the journal's prefix", () => {
    expect(subjectClash(snapshotOf("alerts"), "taskmaster.events.", own)).toMatch(
      /"taskmaster.events.alerts" is the taskmaster's journal subject/,
    );
  });
});
