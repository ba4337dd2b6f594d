import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatHour,
  formatRfc3339,
  parseHour,
  parseRfc3339,
  parseTimeInput,
  wallFromFields,
} from "./timetext.ts";

const utc = (text: string) => new Date(text);
const iso = (d: Date | null) => (d === null ? null : d.toISOString());

describe("wallFromFields", () => {
  it("builds years 0-99 as written, not as 19xx", () => {
    expect(iso(wallFromFields({ year: 50, month: 1, day: 2 }))).toBe("0050-01-02T00:00:00.000Z");
  });

  it.each([
    { year: 2020, month: 2, day: 30 },
    { year: 2021, month: 2, day: 29 },
    { year: 2020, month: 4, day: 31 },
    { year: 2020, month: 0, day: 1 },
    { year: 2020, month: 13, day: 1 },
    { year: 2020, month: 1, day: 0 },
    { year: 2020, month: 1, day: 1, hour: 24 },
    { year: 2020, month: 1, day: 1, minute: 60 },
    { year: 2020, month: 1, day: 1, second: 60 },
  ])("rejects %o", (fields) => {
    expect(wallFromFields(fields)).toBeNull();
  });

  it("accepts Feb 29 in a leap year", () => {
    expect(iso(wallFromFields({ year: 2020, month: 2, day: 29 }))).toBe("2020-02-29T00:00:00.000Z");
  });
});

describe("formatHour and parseHour", () => {
  it("writes the cron meta layout", () => {
    expect(formatHour(utc("2024-01-15T08:59:59Z"))).toBe("2024-01-15T08");
    expect(formatHour(utc("0007-03-04T00:00:00Z"))).toBe("0007-03-04T00");
  });

  it("reads it strictly", () => {
    expect(iso(parseHour("2024-01-15T08"))).toBe("2024-01-15T08:00:00.000Z");
    for (const bad of [
      "2020-13-01T00",
      "2020-01-01T24",
      "2020-02-30T00",
      "2020-1-01T00",
      "2020-01-01",
      " 2020-01-01T00",
      "2020-01-01T00:00",
    ]) {
      expect(parseHour(bad), bad).toBeNull();
    }
  });

  it("round-trips whole hours", () => {
    const hours = fc.integer({
      min: Date.parse("0000-01-01T00:00:00Z") / 3_600_000,
      max: Date.parse("9999-12-31T23:00:00Z") / 3_600_000,
    });
    fc.assert(
      fc.property(hours, (h) => {
        const d = new Date(h * 3_600_000);
        expect(parseHour(formatHour(d))?.getTime()).toBe(d.getTime());
      }),
    );
  });

  it("throws on an invalid Date", () => {
    expect(() => formatHour(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => formatRfc3339(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("formatRfc3339", () => {
  it("prints UTC at second precision with Z", () => {
    expect(formatRfc3339(utc("2026-01-02T03:04:05.678Z"))).toBe("2026-01-02T03:04:05Z");
  });

  it("gives each second its own text, called with the same second again and with others between", () => {
    const times = ["2026-01-02T03:04:05.001Z", "2026-01-02T03:04:05.999Z", "2026-01-02T03:04:06.000Z"];
    const texts = [...times, times[0] ?? ""].map((t) => formatRfc3339(utc(t)));
    expect(texts).toEqual([
      "2026-01-02T03:04:05Z",
      "2026-01-02T03:04:05Z",
      "2026-01-02T03:04:06Z",
      "2026-01-02T03:04:05Z",
    ]);
    expect(formatRfc3339(utc("1969-12-31T23:59:59.500Z"))).toBe("1969-12-31T23:59:59Z");
  });

  it("round-trips through parseRfc3339 at second precision", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.parse("9999-12-31T23:59:59Z") / 1000 }), (s) => {
        const d = new Date(s * 1000);
        expect(parseRfc3339(formatRfc3339(d))?.getTime()).toBe(d.getTime());
      }),
    );
  });
});

describe("parseRfc3339", () => {
  it.each([
    ["2020-01-02T03:04:05Z", "2020-01-02T03:04:05.000Z"],
    ["2020-01-02T03:04:05.5Z", "2020-01-02T03:04:05.500Z"],
    ["2020-01-02T03:04:05.123456789Z", "2020-01-02T03:04:05.123Z"],
    ["2020-01-02T03:04:05+07:00", "2020-01-01T20:04:05.000Z"],
    ["2020-01-02T23:30:00-05:30", "2020-01-03T05:00:00.000Z"],
    ["2020-01-02T03:04:05+00:00", "2020-01-02T03:04:05.000Z"],
  ])("%s is %s", (text, expected) => {
    expect(iso(parseRfc3339(text))).toBe(expected);
  });

  it.each([
    "2020-01-02T03:04:05",
    "2020-01-02 03:04:05Z",
    "2020-02-30T03:04:05Z",
    "2020-01-02T24:00:00Z",
    "2020-01-02T03:04:60Z",
    "2020-01-02T03:04:05+24:00",
    "2020-01-02T03:04:05+07:60",
    "2020-01-02T03:04:05+0700",
    "2020-01-02T03:04:05.Z",
  ])("rejects %s", (text) => {
    expect(parseRfc3339(text)).toBeNull();
  });
});

describe("parseTimeInput", () => {
  it.each([
    ["2024-01-15", "2024-01-15T00:00:00.000Z"],
    ["2024-01-15T08", "2024-01-15T08:00:00.000Z"],
    ["2024-01-15T08:09:10Z", "2024-01-15T08:09:10.000Z"],
    ["2024-01-15T08:09:10.25+01:00", "2024-01-15T07:09:10.250Z"],
    ["  2024-01-15\n", "2024-01-15T00:00:00.000Z"],
  ])("%j is %s", (text, expected) => {
    expect(iso(parseTimeInput(text))).toBe(expected);
  });

  it.each([
    "",
    "2024-02-30",
    "2024-13-01T00",
    "2024-01-15T08:09",
    "15/01/2024",
    "yesterday",
    "2024-01-15T08:09:10",
  ])("rejects %j", (text) => {
    expect(parseTimeInput(text)).toBeNull();
  });

  it("never throws", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const d = parseTimeInput(text);
        expect(d === null || !Number.isNaN(d.getTime())).toBe(true);
      }),
    );
  });
});
