import { describe, expect, it } from "vitest";
import { doublingDelayMs } from "./index.ts";

describe("doublingDelayMs", () => {
  it("doubles from the first wait and stops at the cap", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => doublingDelayMs(n, 500, 5000))).toEqual([
      500, 1000, 2000, 4000, 5000, 5000,
    ]);
  });

  it("stays at the cap however many failures there were", () => {
    expect(doublingDelayMs(5000, 1000, 60_000)).toBe(60_000);
  });

  it("waits the first wait for a count below 1", () => {
    expect(doublingDelayMs(0, 250, 1000)).toBe(250);
  });

  it("keeps a first wait of 0 at 0 however many failures there were", () => {
    expect(doublingDelayMs(5000, 0, 1000)).toBe(0);
  });
});

describe("doublingDelayMs with equal jitter", () => {
  const at = (r: number) => ({ jitter: "equal", random: () => r }) as const;

  it("draws from the upper half of each doubled wait", () => {
    expect([1, 2, 3, 4].map((n) => doublingDelayMs(n, 100, 5000, at(0)))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((n) => doublingDelayMs(n, 100, 5000, at(0.5)))).toEqual([75, 150, 300, 600]);
  });

  it("never waits longer than the cap", () => {
    expect(doublingDelayMs(50, 100, 5000, at(0.999_999))).toBe(5000);
  });

  it("spreads the waits of clients that failed together", () => {
    const waits = new Set(
      Array.from({ length: 200 }, () => doublingDelayMs(7, 100, 5000, { jitter: "equal" })),
    );
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(2500);
    expect(Math.max(...waits)).toBeLessThanOrEqual(5000);
    expect(waits.size).toBeGreaterThan(50);
  });
});
