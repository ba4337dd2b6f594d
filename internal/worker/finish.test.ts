import { describe, expect, it } from "vitest";
import type { Task } from "../task/index.ts";
import { checkOutcome, doneMsgId, errorOutcome, finishTask, startTask, timestamp } from "./finish.ts";
import { backoffMs } from "./publish.ts";

const task: Task = {
  type: "sort",
  info: "?date=2026-01-02",
  id: "id-1",
  created: "2026-01-02T03:04:05Z",
  meta: "b=2&a=1",
};
const t0 = new Date("2026-01-02T03:04:06.007Z");
const t1 = new Date("2026-01-02T03:04:09.250Z");

describe("startTask and finishTask", () => {
  it("write started, then ended, result and msg, in UTC with milliseconds", () => {
    const started = startTask({ ...task, result: "error", msg: "old", ended: "2026-01-01T00:00:00Z" }, t0);
    expect(started).toEqual({ ...task, started: "2026-01-02T03:04:06.007Z" });
    expect(finishTask(started, { result: "warn", msg: "partial" }, t1)).toEqual({
      ...started,
      ended: "2026-01-02T03:04:09.250Z",
      result: "warn",
      msg: "partial",
    });
  });

  it("merges the outcome's meta over the task's, keys sorted", () => {
    const finished = finishTask(task, { result: "complete", meta: { a: "9", file: "gs://b/x.json" } }, t1);
    expect(finished.meta).toBe("a=9&b=2&file=gs://b/x.json");
    expect(finished.msg).toBe("");
  });

  it("keeps the task's meta text as it was when the outcome has none", () => {
    expect(finishTask(task, { result: "complete", meta: {} }, t1).meta).toBe("b=2&a=1");
    const noMeta = finishTask({ type: "t", info: "" }, { result: "complete" }, t1);
    expect(noMeta).not.toHaveProperty("meta");
  });

  it("formats a timestamp as RFC 3339 UTC with milliseconds", () => {
    expect(timestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 123)))).toBe("2026-01-02T03:04:05.123Z");
  });
});

describe("checkOutcome and errorOutcome", () => {
  it("passes a good outcome", () => {
    expect(checkOutcome({ result: "alert", msg: "x", meta: { k: "v" } })).toEqual({
      result: "alert",
      msg: "x",
      meta: { k: "v" },
    });
  });

  it("turns a bad one into an error that says what was wrong", () => {
    expect(checkOutcome(undefined)).toEqual({
      result: "error",
      msg: "handler returned undefined, not an outcome",
    });
    expect(checkOutcome({ result: "done" })).toEqual({
      result: "error",
      msg: 'handler returned an unknown result "done"',
    });
  });

  it("uses a thrown error's message", () => {
    expect(errorOutcome(new TypeError("bad input"))).toEqual({ result: "error", msg: "bad input" });
    expect(errorOutcome("plain")).toEqual({ result: "error", msg: "plain" });
  });
});

describe("doneMsgId", () => {
  const started = startTask(task, t0);

  it("is the same for the same run, whatever the outcome", () => {
    expect(doneMsgId(finishTask(started, { result: "complete" }, t1))).toBe(doneMsgId(started));
  });

  it("differs for another run, another created time or another task", () => {
    const id = doneMsgId(started);
    expect(doneMsgId(startTask(task, t1))).not.toBe(id);
    expect(doneMsgId({ ...started, created: "2026-01-02T03:04:06Z" })).not.toBe(id);
    expect(doneMsgId({ ...started, id: "id-2" })).not.toBe(id);
    expect(doneMsgId({ ...started, job: "j" })).not.toBe(id);
  });

  it("differs for siblings that share id, type, created and start time (the children of one parent)", () => {
    expect(doneMsgId({ ...started, info: "?part=b" })).not.toBe(doneMsgId({ ...started, info: "?part=a" }));
  });
});

describe("backoffMs", () => {
  it("doubles from 100 ms to 5 s, each wait drawn from the upper half of its step", () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffMs(n, top))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000,
    ]);
    expect([1, 2, 7].map((n) => backoffMs(n, () => 0))).toEqual([50, 100, 2500]);
  });

  it("never waits longer than 5 s", () => {
    expect(backoffMs(50, () => 0.999_999)).toBeLessThanOrEqual(5000);
  });
});
