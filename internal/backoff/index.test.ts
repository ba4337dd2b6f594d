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
});
