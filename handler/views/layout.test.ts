import { describe, expect, it } from "vitest";
import { duration } from "./layout.tsx";

describe("duration (as pages show times)", () => {
  it("reads as people write it", () => {
    expect([850, 12_300, 250_000, 300_000, 7_500_000, 3_600_000].map(duration)).toEqual([
      "850 ms",
      "12.3 s",
      "4 min 10 s",
      "5 min",
      "2 h 5 min",
      "1 h",
    ]);
    expect(duration(null)).toBe("");
  });
});
