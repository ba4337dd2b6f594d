import { describe, expect, it } from "vitest";
import { tokenBucket } from "./ratelimit.ts";

describe("tokenBucket", () => {
  it("allows the burst, then one per interval, saying how long to wait", () => {
    const limit = tokenBucket({ burst: 3, intervalMs: 1000 });
    expect([0, 0, 0].map((t) => limit.take("a", t))).toEqual([0, 0, 0]);
    expect(limit.take("a", 0)).toBe(1000);
    expect(limit.take("a", 400)).toBe(600);
    expect(limit.take("a", 1000)).toBe(0);
    expect(limit.take("a", 1000)).toBe(1000);
    // Refilled to the burst, not beyond.
    expect([0, 0, 0, 0].map(() => limit.take("a", 60_000))).toEqual([0, 0, 0, 1000]);
  });

  it("keeps a bucket per key, and forgets the longest-unused past maxKeys", () => {
    const limit = tokenBucket({ burst: 1, intervalMs: 1000, maxKeys: 2 });
    expect(limit.take("a", 0)).toBe(0);
    expect(limit.take("b", 0)).toBe(0);
    expect(limit.take("a", 0)).toBe(1000);
    expect(limit.take("c", 0)).toBe(0); // b, used least recently, is forgotten
    expect(limit.take("a", 0)).toBe(1000);
    expect(limit.take("b", 0)).toBe(0);
  });
});
