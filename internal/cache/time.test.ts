import { describe, expect, it } from "vitest";
import { dayRange, fileStamp, isDay, spanMs, utc } from "./time.ts";

describe("utc", () => {
  it.each([
    ["2024-01-15T03:04:05Z", "2024-01-15T03:04:05.000Z"],
    ["2024-01-15T05:04:05+02:00", "2024-01-15T03:04:05.000Z"],
    ["2024-01-14T22:04:05.5-05:00", "2024-01-15T03:04:05.500Z"],
    ["2024-01-15T03:04:05.123456789Z", "2024-01-15T03:04:05.123Z"],
    ["2024-01-15 03:04:05Z", "2024-01-15T03:04:05.000Z"],
    ["2024-01-15T03:04:05", "2024-01-15T03:04:05.000Z"],
    ["2024-01-15", "2024-01-15T00:00:00.000Z"],
  ])("normalises %s", (input, want) => {
    expect(utc(input)).toBe(want);
  });

  it("keeps canonical times as they are, and rolls over what Date rolls over", () => {
    for (
      let ms = Date.parse("2023-12-25T00:00:00Z");
      ms < Date.parse("2024-03-05T00:00:00Z");
      ms += 3_599_999
    ) {
      const iso = new Date(ms).toISOString();
      expect(utc(iso)).toBe(iso);
    }
    expect(utc("2024-02-30T00:00:00.000Z")).toBe("2024-03-01T00:00:00.000Z");
    expect(utc("2023-02-29T12:00:00.000Z")).toBe("2023-03-01T12:00:00.000Z");
    expect(utc("2024-02-29T24:00:00.000Z")).toBe("2024-03-01T00:00:00.000Z");
    expect(utc("2024-01-15T10:60:00.000Z")).toBe("2024-01-15T10:60:00.000Z");
    expect(utc("2024-13-01T00:00:00.000Z")).toBe("2024-13-01T00:00:00.000Z");
    // Every day of every month of a leap year, a common year and a century year is kept as it is; the day after
    // a month's end is what Date makes of it.
    for (const year of [2023, 2024, 2100, 2000]) {
      for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += 86_400_000) {
        const iso = new Date(day + 45_296_789).toISOString();
        expect(utc(iso)).toBe(iso);
      }
    }
    expect(utc("2023-04-31T00:00:00.000Z")).toBe(
      new Date(Date.parse("2023-04-31T00:00:00.000Z")).toISOString(),
    );
    expect(utc("2100-02-29T00:00:00.000Z")).toBe("2100-03-01T00:00:00.000Z");
  });

  it("keeps empty as null and non-times as they are", () => {
    expect(utc("")).toBeNull();
    expect(utc(null)).toBeNull();
    expect(utc(undefined)).toBeNull();
    expect(utc("yesterday")).toBe("yesterday");
    expect(utc("2024-13-45T00:00:00Z")).toBe("2024-13-45T00:00:00Z");
  });
});

describe("days and spans", () => {
  it("knows a day and its range", () => {
    expect(isDay("2024-02-29")).toBe(true);
    expect(isDay("2023-02-29")).toBe(false);
    expect(isDay("2024-1-5")).toBe(false);
    expect(dayRange("2024-12-31")).toEqual(["2024-12-31T00:00:00.000Z", "2025-01-01T00:00:00.000Z"]);
  });

  it("measures spans, null when a side is missing", () => {
    expect(spanMs("2024-01-15T00:00:00.000Z", "2024-01-15T00:00:01.250Z")).toBe(1250);
    expect(spanMs(null, "2024-01-15T00:00:01.250Z")).toBeNull();
    expect(spanMs("x", "2024-01-15T00:00:01.250Z")).toBeNull();
  });

  it("stamps file names without colons", () => {
    expect(fileStamp(new Date("2024-01-15T03:04:05.678Z"))).toBe("20240115T030405.678Z");
  });
});
