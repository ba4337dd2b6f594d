import { describe, expect, it } from "vitest";
import { testContext } from "./fixture.ts";
import { planRerun } from "./rerun.ts";

describe("planRerun (a person's retry)", () => {
  it("sends the same task created now, without the retry bookkeeping, keyed by the request", () => {
    const task = {
      type: "load",
      job: "eu",
      info: "?day=2024-01-15",
      id: "run-1",
      created: "2024-01-15T03:00:00Z",
      meta: "delayed=10s&retry=failed&retried=2&workflow=etl.toml",
    };
    const e = planRerun(task, testContext(), "k1|2024-01-16T10:00");
    expect(e.task).toEqual({
      type: "load",
      job: "eu",
      info: "?day=2024-01-15",
      id: "run-1",
      created: e.task.created,
      meta: "workflow=etl.toml",
    });
    expect(e.task.created).not.toBe(task.created);
    expect(e).toMatchObject({
      kind: "retry",
      topic: "load",
      delayMs: 0,
      phase: { workflow: "etl.toml", phase: "load:eu" },
    });
    expect(e.dedupeKey).toBe("rerun|k1|2024-01-16T10:00");
  });
});
