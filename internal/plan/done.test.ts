import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { PlanError } from "../errors/index.ts";
import type { Task } from "../task/index.ts";
import { parseMeta } from "../task/index.ts";
import type { Snapshot } from "../workflow/index.ts";
import { loadSnapshot } from "../workflow/index.ts";
import { planDone } from "./done.ts";
import { snapshotOf, testContext } from "./fixture.ts";
import type { Emission } from "./types.ts";

const fixtures = fileURLToPath(new URL("../workflow/testdata/workflow", import.meta.url));
let snapshot: Snapshot;
beforeAll(async () => {
  snapshot = await loadSnapshot(fixtures);
});

const parentId = "UUID_task1";

/** What flowlord's tests compare: type, job, info, id and meta (as a map), with `delayed` normalised. */
function shape(e: Emission) {
  const meta = Object.fromEntries(parseMeta(e.task.meta));
  if (meta.delayed) meta.delayed = meta.delayed.replace(/^\d+(\.\d+)?ms$/, "XXms");
  return { topic: e.topic, type: e.task.type, job: e.task.job ?? "", info: e.task.info, id: e.task.id, meta };
}

function done(fields: Partial<Task> & { type: string }): Task {
  return { info: "", id: parentId, created: "2024-01-15T09:00:00Z", ...fields };
}

// flowlord's TestTaskMaster_Process, case by case (reference §10.4).
describe("planDone: flowlord's process cases", () => {
  it("retries task1 attempt 0 with its phase's retry_delay", () => {
    const task = done({
      type: "task1",
      job: "t2",
      info: "?date=2019-12-12",
      result: "error",
      meta: "workflow=f1.toml",
    });
    const plan = planDone(snapshot, task, testContext());
    expect(plan.emissions.map(shape)).toEqual([
      {
        topic: "task1",
        type: "task1",
        job: "t2",
        info: "?date=2019-12-12",
        id: parentId,
        meta: { delayed: "XXms", retry: "1", workflow: "f1.toml" },
      },
    ]);
    expect(plan.emissions[0]?.delayMs).toBe(12); // 10ms × backoff^0 + 0.5 × 40 % jitter
  });

  it("counts attempts from the retry meta", () => {
    const task = done({ type: "task1", job: "t2", result: "error", meta: "retry=2&workflow=f1.toml" });
    const [retry] = planDone(snapshot, task, testContext()).emissions;
    expect(retry && shape(retry).meta).toEqual({ delayed: "XXms", retry: "3", workflow: "f1.toml" });
    expect(retry?.delayMs).toBe(48); // 10ms × 2² = 40ms, plus 0.5 × 40 % of it
  });

  it("sends an exhausted task to the failed topic with retry=failed and an alert", () => {
    const task = done({ type: "task1", result: "error", msg: "disk full", meta: "retry=3&workflow=f1.toml" });
    const plan = planDone(snapshot, task, testContext());
    expect(plan.emissions.map(shape)).toEqual([
      {
        topic: "retry-failed",
        type: "task1",
        job: "",
        info: "",
        id: parentId,
        meta: { retried: "3", retry: "failed", workflow: "f1.toml" },
      },
    ]);
    expect(plan.emissions[0]?.task.result).toBe("error");
    expect(plan.alerts.map((a) => [a.kind, a.message])).toEqual([
      ["retries-exhausted", "task1 failed after 3 retries: disk full"],
    ]);
  });

  it("starts task2 when task1 completes, with the parent's id and time", () => {
    const task = done({
      type: "task1",
      info: "?date=2019-12-12",
      result: "complete",
      meta: "workflow=f1.toml",
    });
    expect(planDone(snapshot, task, testContext()).emissions.map(shape)).toEqual([
      {
        topic: "task2",
        type: "task2",
        job: "",
        info: "?time=2019-12-12",
        id: parentId,
        meta: { workflow: "f1.toml" },
      },
    ]);
  });

  it("matches a dependsOn job: task1:j4 starts task2 and task5", () => {
    const task = done({
      type: "task1",
      job: "j4",
      info: "?date=2019-12-12",
      result: "complete",
      meta: "workflow=f1.toml&job=t2",
    });
    expect(planDone(snapshot, task, testContext()).emissions.map(shape)).toEqual([
      {
        topic: "task2",
        type: "task2",
        job: "",
        info: "?time=2019-12-12",
        id: parentId,
        meta: { workflow: "f1.toml" },
      },
      {
        topic: "task5",
        type: "task5",
        job: "t5",
        info: "?year=2019",
        id: parentId,
        meta: { workflow: "f1.toml", job: "t5" },
      },
    ]);
  });

  it("leaves time tokens as written when the parent has no time", () => {
    const task = done({ type: "worker", job: "child2", result: "complete", meta: "workflow=jobs.toml" });
    expect(planDone(snapshot, task, testContext()).emissions.map(shape)).toEqual([
      {
        topic: "worker",
        type: "worker",
        job: "child3",
        info: "?day={yyyy}-{mm}-{dd}",
        id: parentId,
        meta: { workflow: "jobs.toml", job: "child3" },
      },
    ]);
  });

  it("refuses a done task without a result", () => {
    const task = done({ type: "task1", meta: "workflow=f1.toml" });
    expect(() => planDone(snapshot, task, testContext())).toThrow(PlanError);
    expect(() => planDone(snapshot, task, testContext())).toThrow(/task1 has no result/);
  });

  it("gives children the parent's meta for their templates, but not in their own meta", () => {
    const task = done({ type: "task2", result: "complete", meta: "workflow=f1.toml&file=metafile.txt" });
    expect(planDone(snapshot, task, testContext()).emissions.map(shape)).toEqual([
      {
        topic: "task3",
        type: "task3",
        job: "",
        info: "metafile.txt",
        id: parentId,
        meta: { workflow: "f1.toml" },
      },
      {
        topic: "task4",
        type: "task4",
        job: "",
        info: "metafile.txt",
        id: parentId,
        meta: { workflow: "f1.toml" },
      },
    ]);
  });

  it("starts task6 when the parent's meta has the required file", () => {
    const task = done({
      type: "task5",
      job: "t5",
      result: "complete",
      meta: "workflow=f1.toml&file=file.txt&job=t5",
    });
    expect(planDone(snapshot, task, testContext()).emissions.map(shape)).toEqual([
      {
        topic: "task6",
        type: "task6",
        job: "",
        info: "file.txt",
        id: parentId,
        meta: { workflow: "f1.toml" },
      },
    ]);
  });

  it("skips task6 when the required meta is missing, and says why", () => {
    const task = done({ type: "task5", result: "complete", meta: "workflow=f1.toml" });
    const plan = planDone(snapshot, task, testContext());
    expect(plan.emissions).toEqual([]);
    expect(plan.notes).toEqual(["f1.toml: task6 skipped: parent meta lacks file"]);
  });

  it("takes the child's time from the parent's cron meta and passes the cron on", () => {
    const task = done({ type: "task1", result: "complete", meta: "workflow=f1.toml&cron=2020-01-01T08" });
    expect(planDone(snapshot, task, testContext()).emissions.map(shape)).toEqual([
      {
        topic: "task2",
        type: "task2",
        job: "",
        info: "?time=2020-01-01",
        id: parentId,
        meta: { workflow: "f1.toml", cron: "2020-01-01T08" },
      },
    ]);
  });

  it("finds children by the job in meta when the task has none", () => {
    const task = done({
      type: "worker",
      result: "complete",
      meta: "workflow=jobs.toml&cron=2020-01-01T08&job=parent_job",
    });
    expect(planDone(snapshot, task, testContext()).emissions.map(shape)).toEqual([
      {
        topic: "worker",
        type: "worker",
        job: "child1",
        info: "?date=2020-01-01T08",
        id: parentId,
        meta: { workflow: "jobs.toml", cron: "2020-01-01T08", job: "child1" },
      },
      {
        topic: "worker",
        type: "worker",
        job: "child2",
        info: "?day=2020-01-01",
        id: parentId,
        meta: { workflow: "jobs.toml", cron: "2020-01-01T08", job: "child2" },
      },
    ]);
  });
});

describe("planDone: what taskmaster does beyond flowlord", () => {
  it("looks the retry phase up in the task's own workflow (flowlord took the first file's)", () => {
    const s = snapshotOf({
      "a.toml": '[[phase]]\ntask = "t"\nretry = 0\nrule = "cron=@daily"\n',
      "b.toml": '[[phase]]\ntask = "t"\nretry = 2\nrule = "cron=@daily"\n',
    });
    const task = done({ type: "t", result: "error", meta: "workflow=b.toml" });
    expect(planDone(s, task, testContext()).emissions.map((e) => e.kind)).toEqual(["retry"]);
    const other = done({ type: "t", result: "error", meta: "workflow=a.toml" });
    expect(planDone(s, other, testContext()).emissions.map((e) => e.kind)).toEqual(["failed"]);
  });

  it("backs off exponentially up to retry_max_delay, plus up to 40 % jitter", () => {
    const s = snapshotOf({
      "a.toml": '[[phase]]\ntask = "t"\nretry = 9\nrule = "cron=@daily&retry_delay=1s&retry_max_delay=5s"\n',
    });
    const delays = [0, 1, 2, 3, 4].map((retry) => {
      const task = done({ type: "t", result: "error", meta: `retry=${retry}&workflow=a.toml` });
      return planDone(s, task, testContext({ random: () => 0 })).emissions[0]?.delayMs;
    });
    expect(delays).toEqual([1000, 2000, 4000, 5000, 5000]);
    const task = done({ type: "t", result: "error", meta: "workflow=a.toml" });
    const jittered = planDone(s, task, testContext({ random: () => 0.999 })).emissions[0];
    expect(jittered?.delayMs).toBe(1399);
    expect(parseMeta(jittered?.task.meta).get("delayed")).toBe("1.399s");
  });

  it("keeps flowlord's constant delay with backoff=1", () => {
    const s = snapshotOf({
      "a.toml": '[[phase]]\ntask = "t"\nretry = 5\nrule = "cron=@daily&retry_delay=10s&backoff=1"\n',
    });
    const task = done({ type: "t", result: "error", meta: "retry=4&workflow=a.toml" });
    expect(planDone(s, task, testContext({ random: () => 0 })).emissions[0]?.delayMs).toBe(10_000);
  });

  it("honours a bare no_alert, and sends nothing to a disabled failed topic", () => {
    const s = snapshotOf({ "a.toml": '[[phase]]\ntask = "t"\nrule = "cron=@daily&no_alert"\n' });
    const task = done({ type: "t", result: "error", meta: "workflow=a.toml" });
    const plan = planDone(s, task, testContext({ failedTopic: "-" }));
    expect(plan.emissions).toEqual([]);
    expect(plan.alerts).toEqual([]);
  });

  it("fails and alerts on an error for a task no phase knows, instead of dropping it", () => {
    const task = done({ type: "mystery", result: "error", msg: "boom" });
    const plan = planDone(snapshot, task, testContext());
    expect(plan.emissions.map((e) => [e.kind, e.topic])).toEqual([["failed", "retry-failed"]]);
    expect(plan.alerts[0]?.message).toBe("mystery failed after 0 retries: boom");
    expect(plan.notes).toEqual(["no phase mystery in any workflow; not retried"]);
  });

  it("raises an alert for an alert result and emits nothing for warn", () => {
    const alert = planDone(
      snapshot,
      done({ type: "task1", result: "alert", msg: "late data" }),
      testContext(),
    );
    expect(alert.emissions).toEqual([]);
    expect(alert.alerts.map((a) => [a.kind, a.message])).toEqual([["task-alert", "late data"]]);
    expect(planDone(snapshot, done({ type: "task1", result: "warn" }), testContext())).toEqual({
      emissions: [],
      alerts: [],
      notes: [],
    });
  });

  it("gives the same dedupe keys for the same done message, and new ones for a new attempt", () => {
    const task = done({ type: "task1", result: "complete", meta: "workflow=f1.toml" });
    const keys = () => planDone(snapshot, task, testContext()).emissions.map((e) => e.dedupeKey);
    expect(keys()).toEqual(keys());
    const rerun = { ...task, created: "2024-01-15T09:30:00Z" };
    expect(planDone(snapshot, rerun, testContext()).emissions.map((e) => e.dedupeKey)).not.toEqual(keys());
  });

  it("creates one child per row of the child's own meta, merged over the parent's meta", () => {
    const s = snapshotOf({
      "a.toml": [
        '[[phase]]\ntask = "p"\nrule = "cron=@daily"\n',
        '[[phase]]\ntask = "c"\ndependsOn = "p"\nrule = "meta=region:us,eu"\ntemplate = "{meta:file}?r={meta:region}"\n',
      ].join("\n"),
    });
    const task = done({ type: "p", result: "complete", meta: "workflow=a.toml&file=x.csv" });
    const plan = planDone(s, task, testContext());
    expect(plan.emissions.map((e) => [e.task.info, e.task.meta])).toEqual([
      ["x.csv?r=us", "region=us&workflow=a.toml"],
      ["x.csv?r=eu", "region=eu&workflow=a.toml"],
    ]);
  });

  it("has no children for a task without a workflow in its meta", () => {
    const plan = planDone(snapshot, done({ type: "task1", result: "complete" }), testContext());
    expect(plan.emissions).toEqual([]);
    expect(plan.notes).toEqual(["task1 has no workflow in its meta, so it has no children"]);
  });
});

describe("retry jitter", () => {
  it("is drawn from the retry's dedupe key, so a redelivered done message waits the same", async () => {
    const { seededRandom } = await import("./retry.ts");
    const task = done({ type: "task1", job: "t2", result: "error", meta: "workflow=f1.toml" });
    const ctx = () => testContext({ random: seededRandom });
    const first = planDone(snapshot, task, ctx()).emissions[0];
    expect(planDone(snapshot, task, ctx()).emissions[0]?.delayMs).toBe(first?.delayMs);
    const draws = Array.from({ length: 2000 }, (_, i) => seededRandom(`k${i}`));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.filter((d) => d < 0.5).length).toBeGreaterThan(900); // spread, not stuck
    expect(draws.filter((d) => d < 0.5).length).toBeLessThan(1100);
  });
});

describe("dedupe keys of siblings", () => {
  it("differ for siblings that share an id and a created second but not their info", () => {
    const s = snapshotOf({
      "a.toml": [
        '[[phase]]\ntask = "p"\nrule = "cron=@daily"\n',
        '[[phase]]\ntask = "c"\ndependsOn = "p"\nrule = "meta=i:1,2"\ntemplate = "?i={meta:i}"\n',
        '[[phase]]\ntask = "g"\ndependsOn = "c"\ntemplate = "x"\n',
      ].join("\n"),
    });
    const sibling = (i: string) =>
      done({ type: "c", info: `?i=${i}`, result: "complete", meta: "workflow=a.toml" });
    const keys = ["1", "2"].map((i) => planDone(s, sibling(i), testContext()).emissions[0]?.dedupeKey);
    expect(keys[0]).not.toBe(keys[1]);
  });
});

describe("dedupe keys of large tasks", () => {
  it("stay small whatever the size of the task's info and id, and still tell siblings apart", () => {
    const s = snapshotOf({
      "a.toml": [
        '[[phase]]\ntask = "p"\nrule = "cron=@daily"\nretry = 1\n',
        '[[phase]]\ntask = "c"\ndependsOn = "p"\ntemplate = "x"\n',
      ].join("\n"),
    });
    const big = "x".repeat(540 * 1024);
    const task = (result: Task["result"], info: string) =>
      done({ type: "p", id: `id-${big}`, info, result, meta: "workflow=a.toml" });
    const keys = [
      ...planDone(s, task("complete", `${big}1`), testContext()).emissions,
      ...planDone(s, task("complete", `${big}2`), testContext()).emissions,
      ...planDone(s, task("error", big), testContext()).emissions,
    ].map((e) => e.dedupeKey);
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(key.length).toBeLessThan(200);
    expect(new Set(keys).size).toBe(3);
  });
});
