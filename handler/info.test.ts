import { describe, expect, it } from "vitest";
import { buildSnapshot } from "../internal/workflow/index.ts";
import { flowlordInfo, printDuration } from "./info.ts";

const now = new Date("2024-01-15T10:30:00Z");

function infoOf(text: string, name = "w.toml") {
  const snapshot = buildSnapshot("/wf", [{ name, path: `/wf/${name}`, text }]);
  return flowlordInfo(snapshot, now)[name] ?? {};
}

/** TOML for phases given as [task, rule, dependsOn]. */
function toml(...phases: [task: string, rule: string, dependsOn?: string][]): string {
  return phases
    .map(([task, rule, dependsOn]) =>
      [
        "[[phase]]",
        `task = "${task}"`,
        rule ? `rule = "${rule}"` : "",
        dependsOn ? `dependsOn = "${dependsOn}"` : "",
        `template = "${task}"`,
      ].join("\n"),
    )
    .join("\n\n");
}

describe("flowlordInfo", () => {
  it("lists a cron phase with its fire times, schedule and child chains", () => {
    const info = infoOf(
      toml(
        ["extract", "cron=0 * * * *&offset=-4h"],
        ["transform", "", "extract"],
        ["report", "", "transform"],
      ),
    );
    expect(info).toEqual({
      extract: {
        Next: "2024-01-15T11:00:00Z",
        Prev: "2024-01-15T10:00:00Z",
        Schedule: ["0 * * * *?offset=-4h"],
        Child: ["transform ➞ report"],
      },
    });
    // Flowlord's field order, for a byte-for-byte familiar JSON.
    expect(Object.keys(info.extract ?? {})).toEqual(["Next", "Prev", "Schedule", "Child"]);
  });

  it("computes the times in the phase's zone, and writes a zero offset as 0s", () => {
    const info = infoOf(toml(["load:daily", "cron=30 6 * * *&tz=America/New_York"]));
    expect(info["load:daily"]).toEqual({
      Next: "2024-01-15T11:30:00Z",
      Prev: "2024-01-14T11:30:00Z",
      Schedule: ["30 6 * * *?offset=0s"],
    });
  });

  it("includes batch cron phases, which flowlord left out", () => {
    const info = infoOf(toml(["backfill", "cron=0 0 * * *&for=-48h&by=day&offset=-24h"]));
    expect(info.backfill).toEqual({
      Next: "2024-01-16T00:00:00Z",
      Prev: "2024-01-15T00:00:00Z",
      Schedule: ["0 0 * * *?offset=-1d"],
    });
  });

  it("lists a files phase with its glob, and keeps a cron phase's times when it also has files", () => {
    const info = infoOf(
      toml(
        ["ingest", "files=s3://in/*.csv"],
        ["both", "cron=0 * * * *&files=/data/*.gz"],
        ["parse", "", "ingest"],
      ),
    );
    expect(info.ingest).toEqual({ Schedule: ["s3://in/*.csv"], Child: ["parse"] });
    expect(info.both).toEqual({
      Next: "2024-01-15T11:00:00Z",
      Prev: "2024-01-15T10:00:00Z",
      Schedule: ["0 * * * *?offset=0s", "/data/*.gz"],
    });
  });

  it("lists unscheduled chains from their top phase with a warning, orphans with flowlord's words", () => {
    const info = infoOf(toml(["manual", ""], ["after-manual", "", "manual"], ["stray", "", "nothing"]));
    expect(info.manual).toEqual({
      warning: "non-scheduled phase: use dependsOn, cron or files (it only runs by backload)",
      Child: ["after-manual"],
    });
    expect(info["after-manual"]).toBeUndefined();
    expect(info.stray).toEqual({ warning: "parent task not found: nothing" });
  });

  it("follows a topic:job child to its own children, which flowlord lost", () => {
    const info = infoOf(toml(["a", "cron=0 * * * *"], ["b:j", "", "a"], ["c", "", "b:j"], ["d", "", "b"]));
    expect(info.a?.Child).toEqual(["b:j ➞ c ➞ d"]);
  });

  it("ends a chain at a dependsOn cycle instead of recursing forever", () => {
    // b follows any job of a, and a:back follows b: a:back → b → a:back loops.
    const info = infoOf(
      toml(["start", "cron=0 * * * *"], ["a:go", "", "start"], ["b", "", "a"], ["a:back", "", "b"]),
    );
    expect(info.start?.Child).toEqual(["a:go ➞ b ➞ a:back ➞ b (cycle)"]);
    const closed = infoOf(toml(["x", "", "y"], ["y", "", "x"]));
    expect(Object.keys(closed)).toHaveLength(1);
    const [entry] = Object.values(closed);
    expect(entry?.Child?.[0]).toMatch(/\(cycle\)$/);
    expect(entry?.warning).toContain("dependsOn cycle");
  });

  it("skips files that hold no phases, and returns nothing for no workflows", () => {
    expect(flowlordInfo(buildSnapshot("/wf", []), now)).toEqual({});
    const snapshot = buildSnapshot("/wf", [{ name: "empty.toml", path: "/wf/empty.toml", text: "" }]);
    expect(flowlordInfo(snapshot, now)).toEqual({});
  });
});

describe("printDuration", () => {
  it.each([
    [0, "0s"],
    [-4 * 3_600_000, "-4h"],
    [30 * 60_000, "30m"],
    [90_000, "1m30s"],
    [3_605_000, "1h5s"],
    [25 * 3_600_000, "1d1h"],
    [366 * 86_400_000, "1y1d"],
    [1500, "1.5s"],
    [1234, "1.23s"],
    [-1500, "-1.5s"],
    [10.25, "10.25ms"],
    [1.05, "1.05ms"],
    [0.3, "300µs"],
    [0.0005, "500ns"],
  ])("prints %s ms as %s", (ms, text) => {
    expect(printDuration(ms)).toBe(text);
  });
});
