import { describe, expect, it } from "vitest";
import { Result } from "../task/index.ts";
import { planDone } from "./done.ts";
import { snapshotOf, testContext } from "./fixture.ts";
import { downstreamOf, planLaunch } from "./launch.ts";
import { planRerun } from "./rerun.ts";

const snapshot = snapshotOf({
  "etl.toml": `
[[phase]]
task = "extract"
rule = "cron=0 * * * *"
template = "?day={yyyy}-{mm}-{dd}T{hh}&region={meta:region}"

[[phase]]
task = "load"
dependsOn = "extract"
template = "?from=extract"

[[phase]]
task = "report:daily"
dependsOn = "load"
template = "?report"
`,
});

describe("planLaunch (run a phase now)", () => {
  it("makes the phase's task for now, with the meta given, through the backload planner", () => {
    const plan = planLaunch(
      snapshot,
      { workflow: "etl.toml", phase: "extract", at: "", meta: new Map([["region", "eu"]]), info: "" },
      testContext(),
    );
    expect(plan.emissions.map((e) => e.task.info)).toEqual(["?day=2024-01-15T10&region=eu"]);
    expect(plan.emissions[0]?.phase).toEqual({ workflow: "etl.toml", phase: "extract" });
    expect(plan.emissions[0]?.task.meta).toContain("workflow=etl.toml");
  });

  it("takes a given time, and a given info in place of the template", () => {
    const plan = planLaunch(
      snapshot,
      { workflow: "etl.toml", phase: "extract", at: "2024-01-01T05", meta: new Map(), info: "?by=hand" },
      testContext(),
    );
    expect(plan.emissions.map((e) => e.task.info)).toEqual(["?by=hand"]);
    expect(plan.status).toContain("info given by the caller");
  });

  it("names the phase it cannot find", () => {
    expect(() =>
      planLaunch(
        snapshot,
        { workflow: "etl.toml", phase: "nope", at: "", meta: new Map(), info: "" },
        testContext(),
      ),
    ).toThrow("no phase nope in workflow etl.toml");
  });
});

describe("re-running downstream or alone", () => {
  it("lists what follows a phase, down the whole chain", () => {
    expect(downstreamOf(snapshot, "etl.toml", "extract", "")).toEqual(["load", "report:daily"]);
    expect(downstreamOf(snapshot, "etl.toml", "report", "daily")).toEqual([]);
  });

  it("a task re-run alone brings no children when it completes; one re-run with its downstream does", () => {
    const task = { type: "load", info: "?from=extract", id: "r1", meta: "workflow=etl.toml" };
    const ctx = testContext();
    const alone = planRerun(task, ctx, "k|m", { downstream: false }).task;
    const follows = planRerun(task, ctx, "k|m2", { downstream: true }).task;
    expect(alone.meta).toBe("downstream=skip&workflow=etl.toml");
    const doneAlone = planDone(snapshot, { ...alone, result: Result.complete }, ctx);
    expect(doneAlone.emissions).toEqual([]);
    expect(doneAlone.notes[0]).toContain("run again alone");
    const doneFollows = planDone(snapshot, { ...follows, result: Result.complete }, ctx);
    expect(doneFollows.emissions.map((e) => e.task.type)).toEqual(["report"]);
  });

  it("a task re-run alone is still retried when it fails", () => {
    const snap = snapshotOf({
      "r.toml": `
[[phase]]
task = "load"
retry = 2
rule = "cron=0 * * * *"
template = "?x"
`,
    });
    const ctx = testContext();
    const alone = planRerun({ type: "load", info: "?x", id: "r1", meta: "workflow=r.toml" }, ctx, "k", {
      downstream: false,
    }).task;
    const plan = planDone(snap, { ...alone, result: Result.error }, ctx);
    expect(plan.emissions).toHaveLength(1);
    expect(plan.emissions[0]?.task.meta).toContain("downstream=skip");
  });
});
