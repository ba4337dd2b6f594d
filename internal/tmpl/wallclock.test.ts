import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromWall, toWall } from "./wallclock.ts";

const ny = "America/New_York";
const kolkata = "Asia/Kolkata";
/** Wall clocks are written without a zone in these tables; both sides are read as UTC fields. */
const at = (text: string) => new Date(`${text}Z`);
const show = (d: Date) => d.toISOString().slice(0, -1);

describe("toWall", () => {
  it.each([
    // 2026-03-08: clocks in New York jump from 02:00 EST to 03:00 EDT at 07:00Z.
    [ny, "2026-03-08T06:59:59.000", "2026-03-08T01:59:59.000"],
    [ny, "2026-03-08T07:00:00.000", "2026-03-08T03:00:00.000"],
    // 2026-11-01: clocks fall back from 02:00 EDT to 01:00 EST at 06:00Z, so 01:30 happens twice.
    [ny, "2026-11-01T05:30:00.000", "2026-11-01T01:30:00.000"],
    [ny, "2026-11-01T05:59:59.999", "2026-11-01T01:59:59.999"],
    [ny, "2026-11-01T06:00:00.000", "2026-11-01T01:00:00.000"],
    [ny, "2026-11-01T06:30:00.000", "2026-11-01T01:30:00.000"],
    [ny, "2026-07-04T04:00:00.000", "2026-07-04T00:00:00.000"],
    [ny, "2026-01-01T04:59:00.000", "2025-12-31T23:59:00.000"],
    [kolkata, "2026-01-01T00:00:00.000", "2026-01-01T05:30:00.000"],
    [kolkata, "2026-03-08T20:15:00.123", "2026-03-09T01:45:00.123"],
    ["UTC", "2026-03-08T07:00:00.456", "2026-03-08T07:00:00.456"],
    ["Etc/UTC", "2026-03-08T07:00:00.000", "2026-03-08T07:00:00.000"],
  ])("%s: %s is %s", (tz, instant, wall) => {
    expect(show(toWall(at(instant), tz))).toBe(wall);
  });

  it("returns a new Date for UTC", () => {
    const d = at("2026-01-01T00:00:00");
    const w = toWall(d, "UTC");
    expect(w).not.toBe(d);
    expect(w.getTime()).toBe(d.getTime());
  });

  it("gives midnight as hour 0, not 24", () => {
    expect(toWall(at("2026-06-01T04:00:00"), ny).getUTCHours()).toBe(0);
  });

  it("counts years before year 1 astronomically", () => {
    expect(toWall(new Date("-000050-06-01T12:00:00Z"), ny).getUTCFullYear()).toBe(-50);
    expect(toWall(new Date("0000-06-01T12:00:00Z"), kolkata).getUTCFullYear()).toBe(0);
  });

  it("throws on an unknown zone", () => {
    expect(() => toWall(at("2026-01-01T00:00:00"), "Mars/Olympus_Mons")).toThrow(RangeError);
  });
});

describe("fromWall", () => {
  it.each([
    [ny, "2026-03-08T01:59:00.000", "2026-03-08T06:59:00.000"],
    // In the gap: read at the offset before the jump (EST), i.e. 03:30 EDT.
    [ny, "2026-03-08T02:00:00.000", "2026-03-08T07:00:00.000"],
    [ny, "2026-03-08T02:30:00.000", "2026-03-08T07:30:00.000"],
    [ny, "2026-03-08T03:00:00.000", "2026-03-08T07:00:00.000"],
    [ny, "2026-03-08T03:30:00.000", "2026-03-08T07:30:00.000"],
    [ny, "2026-11-01T00:59:00.000", "2026-11-01T04:59:00.000"],
    // Ambiguous: the earlier instant (EDT).
    [ny, "2026-11-01T01:00:00.000", "2026-11-01T05:00:00.000"],
    [ny, "2026-11-01T01:30:00.000", "2026-11-01T05:30:00.000"],
    [ny, "2026-11-01T01:59:59.999", "2026-11-01T05:59:59.999"],
    [ny, "2026-11-01T02:00:00.000", "2026-11-01T07:00:00.000"],
    [kolkata, "2026-01-01T05:30:00.000", "2026-01-01T00:00:00.000"],
    [kolkata, "2026-03-08T02:30:00.000", "2026-03-07T21:00:00.000"],
    ["UTC", "2026-03-08T02:30:00.250", "2026-03-08T02:30:00.250"],
  ])("%s: %s is %s", (tz, wall, instant) => {
    expect(show(fromWall(at(wall), tz))).toBe(instant);
  });

  const instants = fc
    .integer({ min: Date.parse("1990-01-01T00:00:00Z"), max: Date.parse("2040-01-01T00:00:00Z") })
    .map((ms) => new Date(ms));

  it.each([ny, kolkata, "UTC", "Europe/London", "Australia/Lord_Howe"])(
    "%s: inverts toWall, picking the earlier of two instants",
    (tz) => {
      fc.assert(
        fc.property(instants, (instant) => {
          const wall = toWall(instant, tz);
          const back = fromWall(wall, tz);
          expect(toWall(back, tz).getTime()).toBe(wall.getTime());
          expect(back.getTime()).toBeLessThanOrEqual(instant.getTime());
          // Only a repeated wall hour gives an earlier instant, and never more than the shift back.
          expect(instant.getTime() - back.getTime()).toBeLessThanOrEqual(3_600_000);
        }),
      );
    },
  );
});
