import { describe, expect, it } from "vitest";
import { phaseZone } from "../plan/index.ts";
import { iso, phaseWith, specOf } from "./fixture.ts";
import { nextSlot, previousSlot, slotsBetween } from "./next.ts";

const at = (text: string) => new Date(text);
const next = (spec: string, after: string, zone = "UTC") => iso(nextSlot(specOf(spec), zone, at(after)));
const previous = (spec: string, atOrBefore: string, zone = "UTC") =>
  iso(previousSlot(specOf(spec), zone, at(atOrBefore)));

describe("nextSlot", () => {
  it("reads five fields as minute-first, with second 0, strictly after the given instant", () => {
    expect(next("*/5 * * * *", "2026-01-15T10:02:30Z")).toBe("2026-01-15T10:05:00.000Z");
    expect(next("*/5 * * * *", "2026-01-15T10:05:00Z")).toBe("2026-01-15T10:10:00.000Z");
    expect(next("*/5 * * * *", "2026-01-15T10:04:59.999Z")).toBe("2026-01-15T10:05:00.000Z");
  });

  it("reads six fields as seconds first", () => {
    expect(next("30 */2 * * * *", "2026-01-15T10:00:00Z")).toBe("2026-01-15T10:00:30.000Z");
    expect(next("30 */2 * * * *", "2026-01-15T10:00:30Z")).toBe("2026-01-15T10:02:30.000Z");
    expect(next("15 35 13 * * *", "2026-01-15T13:35:15.001Z")).toBe("2026-01-16T13:35:15.000Z");
  });

  it("knows the descriptors", () => {
    expect(next("@hourly", "2026-01-15T10:00:00.001Z")).toBe("2026-01-15T11:00:00.000Z");
    expect(next("@daily", "2026-01-15T10:00:00Z")).toBe("2026-01-16T00:00:00.000Z");
    expect(next("@weekly", "2026-01-15T10:00:00Z")).toBe("2026-01-18T00:00:00.000Z");
  });

  it("fires @every D at whole multiples of D since the epoch, in any zone", () => {
    // 2026-01-01T00:00:00Z is 19,635,840 × 90s after the epoch.
    expect(next("@every 90s", "2026-01-01T00:00:00Z")).toBe("2026-01-01T00:01:30.000Z");
    expect(next("@every 90s", "2026-01-01T00:01:29.999Z")).toBe("2026-01-01T00:01:30.000Z");
    expect(next("@every 90s", "2026-01-01T00:00:00Z", "America/New_York")).toBe("2026-01-01T00:01:30.000Z");
    expect(next("CRON_TZ=Asia/Kolkata @every 1h", "2026-01-01T00:10:00Z")).toBe("2026-01-01T01:00:00.000Z");
  });

  it("fires in the rule's zone (tz=)", () => {
    const phase = phaseWith("cron=0 6 * * *&tz=America/New_York");
    const spec = phase.rule.cron ?? specOf("@daily");
    expect(phaseZone(phase)).toBe("America/New_York");
    expect(iso(nextSlot(spec, phaseZone(phase), at("2026-01-15T00:00:00Z")))).toBe(
      "2026-01-15T11:00:00.000Z",
    );
    expect(iso(nextSlot(spec, phaseZone(phase), at("2026-07-15T00:00:00Z")))).toBe(
      "2026-07-15T10:00:00.000Z",
    );
  });

  it("lets a CRON_TZ= prefix win over the zone it is given", () => {
    expect(next("CRON_TZ=Asia/Kolkata 0 6 * * *", "2026-01-15T00:00:00Z", "America/New_York")).toBe(
      "2026-01-15T00:30:00.000Z",
    );
    const phase = phaseWith("cron=CRON_TZ=Asia/Kolkata 0 6 * * *&tz=Europe/Paris");
    expect(phaseZone(phase)).toBe("Asia/Kolkata");
  });
});

describe("previousSlot", () => {
  it("includes the instant itself", () => {
    expect(previous("*/5 * * * *", "2026-01-15T10:05:00Z")).toBe("2026-01-15T10:05:00.000Z");
    expect(previous("*/5 * * * *", "2026-01-15T10:04:59.999Z")).toBe("2026-01-15T10:00:00.000Z");
    expect(previous("@every 90s", "2026-01-01T00:01:29Z")).toBe("2026-01-01T00:00:00.000Z");
    expect(previous("0 6 * * *", "2026-01-15T10:00:00Z", "America/New_York")).toBe(
      "2026-01-14T11:00:00.000Z",
    );
  });
});

describe("slotsBetween", () => {
  const between = (spec: string, from: string, to: string, max: number, zone = "UTC") => {
    const range = slotsBetween(specOf(spec), zone, at(from), at(to), max);
    return { slots: range.slots.map(iso), more: range.more };
  };

  it("excludes from, includes to, oldest first, and counts what is past max", () => {
    expect(between("*/15 * * * *", "2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z", 10)).toEqual({
      slots: [
        "2026-01-15T10:15:00.000Z",
        "2026-01-15T10:30:00.000Z",
        "2026-01-15T10:45:00.000Z",
        "2026-01-15T11:00:00.000Z",
      ],
      more: 0,
    });
    expect(between("*/15 * * * *", "2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z", 1)).toEqual({
      slots: ["2026-01-15T10:15:00.000Z"],
      more: 3,
    });
    expect(between("*/15 * * * *", "2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z", 0).more).toBe(4);
  });

  it("is empty when to is not after from", () => {
    expect(between("* * * * *", "2026-01-15T10:00:00Z", "2026-01-15T10:00:00Z", 5)).toEqual({
      slots: [],
      more: 0,
    });
    expect(between("* * * * *", "2026-01-15T10:00:00Z", "2026-01-15T09:00:00Z", 5)).toEqual({
      slots: [],
      more: 0,
    });
  });

  it("counts a year of a per-second expression without visiting every slot", () => {
    const started = performance.now();
    const range = slotsBetween(
      specOf("* * * * * *"),
      "UTC",
      at("2025-01-01T00:00:00Z"),
      at("2026-01-01T00:00:00Z"),
      100,
    );
    expect(range.slots).toHaveLength(100);
    expect(iso(range.slots[0])).toBe("2025-01-01T00:00:01.000Z");
    expect(range.more).toBe(365 * 86_400 - 100);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("counts business hours over a year exactly, day by day", () => {
    // 261 weekdays in 2025, 9 hours (9:00-17:45) × 4 quarters each.
    const range = slotsBetween(
      specOf("*/15 9-17 * * 1-5"),
      "UTC",
      at("2024-12-31T23:59:59Z"),
      at("2025-12-31T23:59:59Z"),
      3,
    );
    expect(range.slots.map(iso)).toEqual([
      "2025-01-01T09:00:00.000Z",
      "2025-01-01T09:15:00.000Z",
      "2025-01-01T09:30:00.000Z",
    ]);
    expect(range.more + 3).toBe(261 * 9 * 4);
  });

  it("counts @every exactly", () => {
    const range = slotsBetween(
      specOf("@every 90s"),
      "UTC",
      at("2025-01-01T00:00:00Z"),
      at("2026-01-01T00:00:00Z"),
      2,
    );
    expect(range.slots.length + range.more).toBe((365 * 86_400) / 90);
  });
});
