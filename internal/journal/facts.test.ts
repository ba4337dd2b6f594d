import { describe, expect, it } from "vitest";
import { buildSnapshot } from "../workflow/index.ts";
import { phaseEntries, snapshotChecksums, systemAlert, taskRef } from "./facts.ts";

const files = (second: string) => [
  { name: "a.toml", path: "/wf/a.toml", text: '[[phase]]\ntask = "x"\nrule = "cron=@daily"\n' },
  { name: "b.toml", path: "/wf/b.toml", text: second },
];

describe("facts", () => {
  it("names a task by its fields, its job from meta and the hour its cron meta gives", () => {
    const task = { type: "load", info: "?d=1", id: "u1", meta: "job=eu&cron=2026-12-07T10" };
    expect(taskRef(task)).toEqual({
      id: "u1",
      type: "load",
      job: "eu",
      info: "?d=1",
      meta: "job=eu&cron=2026-12-07T10",
      dataTime: "2026-12-07T10:00:00.000Z",
    });
    expect(taskRef({ type: "load", info: "" })).toMatchObject({ id: "", job: "", meta: "", dataTime: "" });
  });

  it("puts what a system alert is about where a task's type would be", () => {
    expect(systemAlert("engine-stuck", "done", "held")).toEqual({
      type: "alert",
      kind: "engine-stuck",
      task: { id: "", type: "done", job: "", info: "", meta: "", dataTime: "" },
      message: "held",
    });
  });

  it("lists every phase with its status and its problems, one line each", () => {
    const snapshot = buildSnapshot(
      "/wf",
      files('[[phase]]\ntask = "y"\ndependsOn = "nothing"\n\n[[phase]]\ntask = "z"\nrule = "cron=bad"\n'),
    );
    const statuses = phaseEntries(snapshot).map((p) => [p.workflow, p.phase, p.status, p.problems.length]);
    expect(statuses).toEqual([
      ["a.toml", "x", "ok", 0],
      ["b.toml", "y", "warning", 1],
      ["b.toml", "z", "error", 1],
    ]);
    expect(phaseEntries(snapshot)[2]?.problems[0]).toMatch(/^b\.toml:5: z: rule\.cron: invalid cron "bad"/);
  });

  it("names a set of workflows by its files' checksums: the same files, the same text", () => {
    const one = snapshotChecksums(buildSnapshot("/wf", files('[[phase]]\ntask = "y"\n')));
    expect(snapshotChecksums(buildSnapshot("/wf", files('[[phase]]\ntask = "y"\n')))).toBe(one);
    expect(snapshotChecksums(buildSnapshot("/wf", files('[[phase]]\ntask = "w"\n')))).not.toBe(one);
    expect(one).toMatch(/^a\.toml=[0-9a-f]{32},b\.toml=[0-9a-f]{32}$/);
  });
});
