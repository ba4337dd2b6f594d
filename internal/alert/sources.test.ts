import { describe, expect, it } from "vitest";
import { incompleteAlert } from "./sources.ts";

const at = new Date("2026-11-23T12:00:00Z");

describe("what becomes an alert", () => {
  it("names an unfinished task, its phase and data time, and how long it has waited", () => {
    const task = {
      type: "load",
      job: "",
      info: "?day=2026-11-22",
      id: "t1",
      meta: "cron=2026-11-22T05&job=eu",
    };
    const a = incompleteAlert(task, 4 * 3_600_000, at);
    expect(a).toMatchObject({
      kind: "incomplete",
      taskType: "load",
      job: "eu",
      taskId: "t1",
      message: "INCOMPLETE: not finished 4h after it was emitted",
    });
    expect(a.dataTime?.toISOString()).toBe("2026-11-22T05:00:00.000Z");
  });
});
