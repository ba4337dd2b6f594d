/** Go duration parsing and printing, including the round trip the UI and messages rely on. */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  it.each([
    ["0", 0],
    ["-0", 0],
    ["+0", 0],
    ["0s", 0],
    ["90s", 90_000],
    ["1h30m", 5_400_000],
    ["-4h", -14_400_000],
    ["+5m", 300_000],
    ["1.5ms", 1.5],
    ["300us", 0.3],
    ["300µs", 0.3],
    ["300μs", 0.3],
    ["1500ns", 0.0015],
    [".5s", 500],
    ["5.s", 5000],
    ["1h1m1s1ms", 3_661_001],
    ["-48h", -172_800_000],
    ["168h", 604_800_000],
    ["10ms", 10],
    ["1.0000000001s", 1000],
  ])("%s → %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    "",
    "5",
    "1d",
    "h",
    ".",
    ".s",
    "-",
    "+",
    "1hh",
    "1 h",
    " 1h",
    "1h ",
    "1h-1m",
    "1e3s",
    "1,5s",
    "abc",
  ])("%j is invalid", (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it("rejects what overflows Go's int64 nanoseconds, and accepts the edge", () => {
    expect(parseDuration("2562047h47m16.854775807s")).not.toBeNull();
    expect(parseDuration("2562047h47m16.854775808s")).toBeNull();
    expect(parseDuration("-2562047h47m16.854775808s")).not.toBeNull();
    expect(parseDuration("9999999999h")).toBeNull();
  });
});

describe("formatDuration", () => {
  it.each([
    [3_600_000, "1h"],
    [5_400_000, "1h30m"],
    [90_000, "1m30s"],
    [61_000, "1m1s"],
    [3_605_000, "1h0m5s"],
    [10.5, "10.5ms"],
    [1234, "1.234s"],
    [0, "0s"],
    [-0, "0s"],
    [-14_400_000, "-4h"],
    [500, "500ms"],
    [0.3, "300µs"],
    [0.0015, "1.5µs"],
    [0.000001, "1ns"],
    [0.0000001, "0s"],
    [1000, "1s"],
    [600_000, "10m"],
    [36_000_000, "10h"],
    [3_600_000.5, "1h0m0.0005s"],
    [-90_500, "-1m30.5s"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("prints non-finite input as is, so the bug shows", () => {
    expect(formatDuration(Number.NaN)).toBe("NaN");
  });
});

describe("round trip", () => {
  it("keeps whole milliseconds exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });

  it("keeps sub-millisecond values to the nanosecond", () => {
    fc.assert(
      fc.property(fc.double({ min: -5000, max: 5000, noNaN: true }), (ms) => {
        const back = parseDuration(formatDuration(ms));
        expect(back).not.toBeNull();
        expect(Math.abs((back ?? Number.NaN) - ms)).toBeLessThanOrEqual(0.0000005 + 1e-9);
      }),
    );
  });
});
