/** Cron spec validation and normalisation: robfig's language in, six seconds-first fields out. */

import { CronExpressionParser } from "cron-parser";
import { describe, expect, it } from "vitest";
import { isTimeZone, parseCronSpec } from "./cron.ts";

function expression(text: string): string | undefined {
  const result = parseCronSpec(text);
  return "spec" in result ? result.spec.expression : undefined;
}

function error(text: string): string | undefined {
  const result = parseCronSpec(text);
  return "error" in result ? result.error : undefined;
}

describe("parseCronSpec", () => {
  it.each([
    // From flowlord's TestValidatePhase and Test_NewJob.
    ["1 2 3 4 5", "0 1 2 3 4 5"],
    ["1 2 3 4 5 6", "1 2 3 4 5 6"],
    ["20 */6 * * SUN", "0 20 */6 * * SUN"],
    ["15 35 13 * * *", "15 35 13 * * *"],
    ["35 13 * * *", "0 35 13 * * *"],
    // From flowlord's test workflows.
    ["0 * * * *", "0 0 * * * *"],
    ["0 0 * * *", "0 0 0 * * *"],
    // robfig's specials and names.
    ["  0   12\t* * MON-FRI ", "0 0 12 * * MON-FRI"],
    ["0 0 1 jan,jul ?", "0 0 0 1 jan,jul ?"],
    ["*/15 9-17 * * 1-5", "0 */15 9-17 * * 1-5"],
    ["5/10 * * * *", "0 5/10 * * * *"],
    ["0 0 0 ? * sun,sat", "0 0 0 ? * sun,sat"],
  ])("%j → %j", (text, normal) => {
    expect(expression(text)).toBe(normal);
  });

  it.each([
    ["@yearly", "0 0 0 1 1 *"],
    ["@annually", "0 0 0 1 1 *"],
    ["@monthly", "0 0 0 1 * *"],
    ["@weekly", "0 0 0 * * 0"],
    ["@daily", "0 0 0 * * *"],
    ["@midnight", "0 0 0 * * *"],
    ["@hourly", "0 0 * * * *"],
  ])("descriptor %s → %j", (text, normal) => {
    expect(expression(text)).toBe(normal);
  });

  it("reads @every as a fixed interval with no expression", () => {
    expect(parseCronSpec("@every 90s")).toEqual({
      spec: { text: "@every 90s", expression: "", everyMs: 90_000 },
    });
    expect(parseCronSpec("@every 1h30m")).toMatchObject({ spec: { everyMs: 5_400_000 } });
    expect(error("@every 500ms")).toContain("shorter than 1s");
    expect(error("@every -1m")).toContain("shorter than 1s");
    expect(error("@every 5")).toContain("Go duration");
    expect(error("@every")).toContain("Go duration");
  });

  it("reads a CRON_TZ= or TZ= prefix into tz and keeps the text as written", () => {
    expect(parseCronSpec("CRON_TZ=America/New_York 0 6 * * *")).toEqual({
      spec: { text: "CRON_TZ=America/New_York 0 6 * * *", expression: "0 0 6 * * *", tz: "America/New_York" },
    });
    expect(parseCronSpec("TZ=Asia/Tokyo @daily")).toMatchObject({
      spec: { expression: "0 0 0 * * *", tz: "Asia/Tokyo" },
    });
    expect(parseCronSpec("TZ=UTC @every 1m")).toMatchObject({ spec: { everyMs: 60_000, tz: "UTC" } });
    expect(error("CRON_TZ=Mars/Olympus 0 6 * * *")).toContain('unknown time zone "Mars/Olympus"');
    expect(error("TZ= 0 6 * * *")).toContain("unknown time zone");
    expect(error("TZ=UTC")).toBe("empty spec");
  });

  it.each([
    ["abcdefg", "expected 5 or 6 fields"],
    ["badcron", "expected 5 or 6 fields"],
    ["", "empty spec"],
    ["1 2 3 4", "found 4"],
    ["1 2 3 4 5 6 7", "found 7"],
    ["@often", 'unknown descriptor "@often"'],
    ["@Daily", "unknown descriptor"],
    ["60 * * * *", "expected range 0-59"],
    ["0 25 * * *", "expected range 0-23"],
    ["0 0 32 * *", "expected range 1-31"],
    ["0 0 * 13 *", "expected range 1-12"],
    ["*/0 * * * *", "cannot repeat at every 0"],
    ["5-3 * * * *", "Invalid range"],
    ["0 0 * * L", '"L" is not a name'],
    ["0 0 * * MON#2", "characters cron does not allow"],
    ["0 0 L * *", '"L" is not a name'],
    ["H * * * *", '"H" is not a name'],
    ["0 0 * JANUARY *", '"JANUARY" is not a name'],
    ["0 0 * MON *", '"MON" is not a name'],
    ["0 0 * * JAN", '"JAN" is not a name'],
    ["0 0 1,, * *", "Invalid list value format"],
  ])("%j is invalid: %s", (text, reason) => {
    expect(error(text)).toContain(reason);
  });

  it("produces expressions cron-parser reads with seconds first", () => {
    const result = parseCronSpec("15 35 13 * * *");
    if (!("spec" in result)) throw new Error(result.error);
    const next = CronExpressionParser.parse(result.spec.expression, {
      tz: "UTC",
      currentDate: new Date("2024-01-01T00:00:00Z"),
    }).next();
    expect(next.toISOString()).toBe("2024-01-01T13:35:15.000Z");
  });
});

describe("isTimeZone", () => {
  it.each([
    ["UTC", true],
    ["America/New_York", true],
    ["Europe/Paris", true],
    ["Mars/Olympus", false],
    ["", false],
    ["not a zone", false],
  ])("%j → %s", (zone, valid) => {
    expect(isTimeZone(zone)).toBe(valid);
  });
});
