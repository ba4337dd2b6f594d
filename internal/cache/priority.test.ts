// The cache writer's CPU policy as decisions on its backlog; test/cache/priority.test.ts runs them on the writer
// thread.
import { describe, expect, it } from "vitest";
import { holdFor, policyFor } from "./priority.ts";

const limits = { liftAbove: 100, liftAfterMs: 5000, idleBelow: 20, holdAbove: 0.7 };
const behind = (waiting: number, oldestMs = 0) => ({ waiting, oldestMs });

describe("the cache writer's CPU policy", () => {
  it("is lifted when the writer falls far behind or a record waits too long, and idles again once caught up", () => {
    expect(policyFor(behind(50, 4000), "idle", limits)).toBe("idle");
    expect(policyFor(behind(101), "idle", limits)).toBe("normal");
    expect(policyFor(behind(1, 5001), "idle", limits)).toBe("normal");
    expect(policyFor(behind(50), "normal", limits)).toBe("normal");
    expect(policyFor(behind(19, 5001), "normal", limits)).toBe("normal");
    expect(policyFor(behind(19, 100), "normal", limits)).toBe("idle");
  });

  it("holds the writer while the main thread is busy, unless the backlog is late or long", () => {
    expect(holdFor(behind(50, 4000), 0.9, limits)).toBe(true);
    expect(holdFor(behind(50, 4000), 0.5, limits)).toBe(false);
    expect(holdFor(behind(50, 5001), 0.9, limits)).toBe(false);
    expect(holdFor(behind(101, 10), 0.9, limits)).toBe(false);
  });
});
