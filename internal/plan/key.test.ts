import { describe, expect, it } from "vitest";
import { boundedKey, maxKeyLength } from "./key.ts";

describe("boundedKey", () => {
  it("keeps a short key as written", () => {
    const key = "retry|id-1|extract||2024-01-15T00:00:00Z|?day=2024-01-15|1";
    expect(boundedKey(key)).toBe(key);
    expect(boundedKey("x".repeat(maxKeyLength))).toBe("x".repeat(maxKeyLength));
  });

  it("replaces a long key by its hash: small, the same each time, different for different keys", () => {
    const big = `retry|id-1|extract||2024-01-15T00:00:00Z|${"x".repeat(540 * 1024)}|1`;
    const bounded = boundedKey(big);
    expect(bounded).toMatch(/^sha256:[A-Za-z0-9_-]{43}$/);
    expect(boundedKey(big)).toBe(bounded);
    expect(boundedKey(`${big}2`)).not.toBe(bounded);
    expect(boundedKey("y".repeat(maxKeyLength + 1))).toHaveLength(50);
  });
});
