import { describe, expect, it } from "vitest";
import { parseDay } from "./history.ts";

const now = new Date("2024-01-15T12:00:00Z");

describe("parseDay (the API's time filter)", () => {
  it("takes a date, an RFC 3339 time with Z or an offset, and relative forms", () => {
    expect(parseDay(undefined, now)).toBe("2024-01-15");
    expect(parseDay("2024-01-10", now)).toBe("2024-01-10");
    expect(parseDay("2024-01-10T23:30:00Z", now)).toBe("2024-01-10");
    expect(parseDay("2024-01-10T23:30:00-05:00", now)).toBe("2024-01-11");
    expect(parseDay("-24h", now)).toBe("2024-01-14");
    expect(parseDay("-7d", now)).toBe("2024-01-08");
  });

  it("reads a time without a zone in the configured zone, UTC by default", () => {
    expect(parseDay("2024-01-10T22:00:00", now)).toBe("2024-01-10");
    expect(parseDay("2024-01-10T22:00", now, "America/New_York")).toBe("2024-01-11");
    expect(parseDay("2024-01-10T22", now, "America/New_York")).toBe("2024-01-11");
    expect(parseDay("2024-01-11T00:30", now, "Europe/Paris")).toBe("2024-01-10");
  });

  it("refuses anything else, saying what it takes", () => {
    expect(() => parseDay("yesterday", now)).toThrow(/date: "yesterday" is not a day; use YYYY-MM-DD/);
    expect(() => parseDay("2024-13-45", now)).toThrow(/is not a day/);
  });
});
