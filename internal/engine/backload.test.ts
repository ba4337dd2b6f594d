import { describe, expect, it } from "vitest";
import type { Plan, PlanContext } from "../plan/index.ts";
import { buildSnapshot } from "../workflow/index.ts";
import { backloadRunner } from "./backload.ts";

const snapshot = buildSnapshot("/wf", [
  {
    name: "daily.toml",
    path: "/wf/daily.toml",
    text: '[[phase]]\ntask = "plain"\nrule = "cron=@hourly"\ntemplate = "?h={yyyy}-{mm}-{dd}T{hh}"\n',
  },
]);

function context(): PlanContext {
  let n = 0;
  return {
    now: new Date("2024-01-15T10:20:30Z"),
    host: "test-host",
    newId: () => `id-${++n}`,
    random: () => 0.5,
    readMetaFile: () => {
      throw Object.assign(new Error("no files found for x.csv"), { name: "MetaFileError" });
    },
    failedTopic: "retry-failed",
  };
}

function runner() {
  const published: Plan[] = [];
  const run = backloadRunner({
    snapshot: () => snapshot,
    context: async () => context(),
    publish: async (plan) => {
      published.push(plan);
      return plan.emissions.length;
    },
  });
  return { run, published };
}

// 2 500 hours: three chunks.
const range = { Task: "plain", From: "2024-01-01T00", To: "2024-04-14T03", By: "hour" };

describe("backloadRunner", () => {
  it("answers a dry run with the count and the page asked for, publishing nothing", async () => {
    const { run, published } = runner();
    const r = await run(range, { page: 2, size: 2 });
    expect(r.executed).toBe(false);
    expect(r.count).toBe(2500);
    expect(r.tasks.map((t) => (t as { info: string }).info)).toEqual([
      "?h=2024-01-01T02",
      "?h=2024-01-01T03",
    ]);
    expect(published).toEqual([]);
  });

  it("publishes an executed backload in chunks of 1000 and answers with the page asked for", async () => {
    const { run, published } = runner();
    const r = await run({ ...range, Execute: true }, { page: 11, size: 100 });
    expect(r.executed).toBe(true);
    expect(published.map((p) => p.emissions.length)).toEqual([1000, 1000, 500]);
    expect(r.tasks).toHaveLength(100);
    expect((r.tasks[0] as { info: string }).info).toBe(published[1]?.emissions[0]?.task.info);
  });

  it("says a meta-file it cannot read is the request's problem", async () => {
    const metaSnapshot = buildSnapshot("/wf", [
      {
        name: "m.toml",
        path: "/wf/m.toml",
        text: '[[phase]]\ntask = "m"\nrule = "cron=@daily&meta-file=x.csv"\ntemplate = "?c={meta:id}"\n',
      },
    ]);
    const withMeta = backloadRunner({
      snapshot: () => metaSnapshot,
      context: async () => context(),
      publish: async () => 0,
    });
    await expect(withMeta({ Task: "m", At: "2024-01-01" }, { page: 1, size: 10 })).rejects.toMatchObject({
      name: "InputError",
      message: "meta-file: no files found for x.csv",
    });
  });
});
