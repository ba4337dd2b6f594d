import { describe, expect, it } from "vitest";
import { phaseZone } from "../plan/index.ts";
import { missedSlots } from "./catchup.ts";
import { iso, phaseWith } from "./fixture.ts";

const t = (text: string) => new Date(text);

/** Missed slots of a phase with `rule`, last fired at `lastFired`, at `now`; dates as ISO text. */
function missed(rule: string, lastFired: string | null, now: string) {
  const phase = phaseWith(rule);
  const result = missedSlots(phase.rule, phaseZone(phase), lastFired === null ? null : t(lastFired), t(now));
  return {
    fire: result.fire.map(iso),
    skipped: result.skipped,
    ...(result.firstSkipped ? { firstSkipped: iso(result.firstSkipped) } : {}),
    ...(result.lastSkipped ? { lastSkipped: iso(result.lastSkipped) } : {}),
  };
}

// Every 10 minutes, last fired at 08:00, now 10:05: 12 slots missed, 08:10 to 10:00.
const down = ["2026-01-15T08:00:00Z", "2026-01-15T10:05:00Z"] as const;

describe("missedSlots", () => {
  it("latest (the default): fires the newest missed slot and reports the rest", () => {
    expect(missed("cron=*/10 * * * *", ...down)).toEqual({
      fire: ["2026-01-15T10:00:00.000Z"],
      skipped: 11,
      firstSkipped: "2026-01-15T08:10:00.000Z",
      lastSkipped: "2026-01-15T09:50:00.000Z",
    });
  });

  it("latest: fires nothing when the newest is older than the window", () => {
    expect(missed("cron=*/10 * * * *&catchup_window=3m", ...down)).toEqual({
      fire: [],
      skipped: 12,
      firstSkipped: "2026-01-15T08:10:00.000Z",
      lastSkipped: "2026-01-15T10:00:00.000Z",
    });
  });

  it("all: fires every slot in the window, oldest first", () => {
    expect(missed("cron=*/10 * * * *&catchup=all&catchup_window=30m", ...down)).toEqual({
      fire: ["2026-01-15T09:40:00.000Z", "2026-01-15T09:50:00.000Z", "2026-01-15T10:00:00.000Z"],
      skipped: 9,
      firstSkipped: "2026-01-15T08:10:00.000Z",
      lastSkipped: "2026-01-15T09:30:00.000Z",
    });
  });

  it("all: keeps the newest catchup_max", () => {
    expect(missed("cron=*/10 * * * *&catchup=all&catchup_window=30m&catchup_max=2", ...down)).toEqual({
      fire: ["2026-01-15T09:50:00.000Z", "2026-01-15T10:00:00.000Z"],
      skipped: 10,
      firstSkipped: "2026-01-15T08:10:00.000Z",
      lastSkipped: "2026-01-15T09:40:00.000Z",
    });
  });

  it("all: skips nothing when every missed slot fits", () => {
    expect(missed("cron=*/10 * * * *&catchup=all&catchup_window=3h", ...down)).toMatchObject({ skipped: 0 });
    expect(missed("cron=*/10 * * * *&catchup=all&catchup_window=3h", ...down).fire).toHaveLength(12);
  });

  it("none: fires nothing and reports every missed slot", () => {
    expect(missed("cron=*/10 * * * *&catchup=none", ...down)).toEqual({
      fire: [],
      skipped: 12,
      firstSkipped: "2026-01-15T08:10:00.000Z",
      lastSkipped: "2026-01-15T10:00:00.000Z",
    });
  });

  it("counts the window's start in (s >= now - window)", () => {
    const result = missed(
      "cron=*/10 * * * *&catchup=all&catchup_window=30m",
      down[0],
      "2026-01-15T10:30:00Z",
    );
    expect(result.fire[0]).toBe("2026-01-15T10:00:00.000Z");
  });

  it("misses nothing for a phase never fired, or when no slot passed", () => {
    expect(missed("cron=*/10 * * * *", null, down[1])).toEqual({ fire: [], skipped: 0 });
    expect(missed("cron=*/10 * * * *", "2026-01-15T10:00:00Z", "2026-01-15T10:09:59Z")).toEqual({
      fire: [],
      skipped: 0,
    });
    expect(missed("cron=*/10 * * * *", "2026-01-15T10:00:00Z", "2026-01-15T10:00:00Z")).toEqual({
      fire: [],
      skipped: 0,
    });
  });

  it("counts a week of a per-second expression quickly", () => {
    const started = performance.now();
    const result = missed("cron=* * * * * *", "2026-01-08T00:00:00Z", "2026-01-15T00:00:00Z");
    expect(result.fire).toEqual(["2026-01-15T00:00:00.000Z"]);
    expect(result.skipped).toBe(7 * 86_400 - 1);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("works in the phase's zone and for @every", () => {
    expect(
      missed(
        "cron=30 2 * * *&tz=America/New_York&catchup=all&catchup_window=72h",
        "2026-03-06T12:00:00Z",
        "2026-03-09T12:00:00Z",
      ).fire,
    ).toEqual(["2026-03-07T07:30:00.000Z", "2026-03-08T07:30:00.000Z", "2026-03-09T06:30:00.000Z"]);
    expect(missed("cron=@every 90s&catchup=none", "2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z")).toEqual({
      fire: [],
      skipped: 3,
      firstSkipped: "2026-01-01T00:01:30.000Z",
      lastSkipped: "2026-01-01T00:04:30.000Z",
    });
  });
});
