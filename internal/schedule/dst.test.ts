/**
 * Daylight saving, pinned at exact instants. New York, 2026: on 03-08 the clock jumps from 02:00 EST (07:00Z)
 * to 03:00 EDT, so 02:30 never happens; on 11-01 it goes back from 02:00 EDT (06:00Z) to 01:00 EST, so 01:30
 * happens twice (05:30Z and 06:30Z).
 */
import { CronExpressionParser } from "cron-parser";
import { afterEach, describe, expect, it, vi } from "vitest";
import { phaseZone } from "../plan/index.ts";
import { offsetAt, wallOf } from "../tmpl/index.ts";
import { iso, phaseWith, setup, snapshotOf, specOf } from "./fixture.ts";
import { nextSlot, previousSlot, slotsBetween } from "./next.ts";
import { wallsOf } from "./walls.ts";

const zone = "America/New_York";
const t = (text: string) => new Date(text);
const minute = 60_000;

/** cron-parser's own answers, walking forward from `from` in the zone. */
function cronParser(expression: string, from: string, count: number): string[] {
  const cron = CronExpressionParser.parse(expression, { tz: zone, currentDate: t(from) });
  return Array.from({ length: count }, () => iso(cron.next().toDate()));
}

function slots(spec: string, from: string, to: string): string[] {
  return slotsBetween(specOf(spec), zone, t(from), t(to), 1000).slots.map(iso);
}

describe("spring forward: 30 2 * * * on 2026-03-08", () => {
  const spec = specOf("30 2 * * *");

  it("fires once that day, at 03:30 EDT (07:30Z): the skipped 02:30 read with the offset before the gap", () => {
    expect(slots("30 2 * * *", "2026-03-07T05:00:00Z", "2026-03-10T04:00:00Z")).toEqual([
      "2026-03-07T07:30:00.000Z",
      "2026-03-08T07:30:00.000Z",
      "2026-03-09T06:30:00.000Z",
    ]);
  });

  it("is what cron-parser gives walking forward through the change", () => {
    expect(cronParser("0 30 2 * * *", "2026-03-07T12:00:00Z", 2)).toEqual([
      "2026-03-08T07:30:00.000Z",
      "2026-03-09T06:30:00.000Z",
    ]);
  });

  it("pins why cron-parser's zone support is not used: its answer depends on where the search starts", () => {
    // Started at 03:29:59 EDT, it skips that day's slot; prev() never returns it.
    expect(cronParser("0 30 2 * * *", "2026-03-08T07:29:59Z", 1)).toEqual(["2026-03-09T06:30:00.000Z"]);
    const back = CronExpressionParser.parse("0 30 2 * * *", {
      tz: zone,
      currentDate: t("2026-03-10T00:00:00Z"),
    });
    expect([iso(back.prev().toDate()), iso(back.prev().toDate())]).toEqual([
      "2026-03-09T06:30:00.000Z",
      "2026-03-07T07:30:00.000Z",
    ]);
    // Here the answer is the same from anywhere that day.
    expect(iso(nextSlot(spec, zone, t("2026-03-08T07:29:59Z")))).toBe("2026-03-08T07:30:00.000Z");
    expect(iso(previousSlot(spec, zone, t("2026-03-10T00:00:00Z")))).toBe("2026-03-09T06:30:00.000Z");
    expect(iso(previousSlot(spec, zone, t("2026-03-09T06:29:59Z")))).toBe("2026-03-08T07:30:00.000Z");
  });

  it("gives the same slot whatever minute of the day the question is asked", () => {
    const slot = t("2026-03-08T07:30:00Z").getTime();
    for (
      let at = t("2026-03-08T05:00:00Z").getTime();
      at < t("2026-03-09T04:00:00Z").getTime();
      at += 7 * minute
    ) {
      const next = nextSlot(spec, zone, new Date(at)).getTime();
      const previous = previousSlot(spec, zone, new Date(at))?.getTime();
      if (at < slot) expect(next).toBe(slot);
      else expect([next, previous]).toEqual([t("2026-03-09T06:30:00Z").getTime(), slot]);
    }
  });
});

describe("fall back: 30 1 * * * on 2026-11-01", () => {
  const spec = specOf("30 1 * * *");

  it("fires once that day, the first time 01:30 happens (01:30 EDT, 05:30Z)", () => {
    expect(slots("30 1 * * *", "2026-10-31T04:00:00Z", "2026-11-03T05:00:00Z")).toEqual([
      "2026-10-31T05:30:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-02T06:30:00.000Z",
    ]);
    expect(cronParser("0 30 1 * * *", "2026-10-31T12:00:00Z", 2)).toEqual([
      "2026-11-01T05:30:00.000Z",
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("does not fire the second 01:30, even asked during the repeated hour (cron-parser would)", () => {
    expect(cronParser("0 30 1 * * *", "2026-11-01T06:10:00Z", 1)).toEqual(["2026-11-01T06:30:00.000Z"]);
    expect(iso(nextSlot(spec, zone, t("2026-11-01T06:10:00Z")))).toBe("2026-11-02T06:30:00.000Z");
    expect(iso(previousSlot(spec, zone, t("2026-11-01T06:45:00Z")))).toBe("2026-11-01T05:30:00.000Z");
    expect(iso(previousSlot(spec, zone, t("2026-11-01T05:29:59Z")))).toBe("2026-10-31T05:30:00.000Z");
  });
});

describe("expressions for every hour follow the clock, as in cron-parser", () => {
  it("fire in both passes of the repeated hour, and not in the gap", () => {
    const fall = slots("*/30 * * * *", "2026-11-01T04:45:00Z", "2026-11-01T07:00:00Z");
    expect(fall).toEqual(cronParser("0 */30 * * * *", "2026-11-01T04:45:00Z", 5));
    expect(fall).toEqual([
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T06:30:00.000Z",
      "2026-11-01T07:00:00.000Z",
    ]);
    const spring = slots("*/30 * * * *", "2026-03-08T06:15:00Z", "2026-03-08T08:00:00Z");
    expect(spring).toEqual([
      "2026-03-08T06:30:00.000Z",
      "2026-03-08T07:00:00.000Z",
      "2026-03-08T07:30:00.000Z",
      "2026-03-08T08:00:00.000Z",
    ]);
  });
});

/** Slots by reading the clock minute by minute: what the rules in walker.ts say, done the slow way. */
function readClock(expression: string, tz: string, from: number, to: number): number[] {
  const walls = wallsOf(expression);
  const matches = (wall: number) => walls.atOrBefore(wall) === wall;
  const seen = new Set<number>();
  const found = new Set<number>();
  for (let at = from; at <= to; at += minute) {
    const wall = wallOf(at, tz);
    if (matches(wall) && (walls.everyHour || !seen.has(wall))) found.add(at);
    seen.add(wall);
  }
  if (!walls.everyHour) {
    const before = offsetAt(from, tz);
    for (let wall = wallOf(from, tz); wall <= wallOf(to, tz); wall += minute) {
      if (matches(wall) && !seen.has(wall) && wall - before <= to) found.add(wall - before);
    }
  }
  return [...found].sort((a, b) => a - b);
}

describe("slots agree with reading the clock minute by minute", () => {
  it.each([
    [zone, "2026-03-08T03:00:00Z"],
    [zone, "2026-11-01T02:00:00Z"],
    ["Europe/London", "2026-10-24T22:00:00Z"],
    ["Australia/Lord_Howe", "2026-10-03T08:00:00Z"],
    ["Australia/Lord_Howe", "2026-04-04T08:00:00Z"],
  ])("%s from %s", (tz, from) => {
    const start = t(from).getTime();
    const end = start + 14 * 3_600_000;
    for (const expression of [
      "0 30 2 * * *",
      "0 10,35 1-3 * * *",
      "0 */20 * * * *",
      "0 45 * * * *",
      "0 40 1,2 * * *",
    ]) {
      const walked = slotsBetween(
        { text: expression, expression },
        tz,
        new Date(start - 1),
        new Date(end),
        1000,
      );
      expect(walked.slots.map(iso), `${expression} in ${tz}`).toEqual(
        readClock(expression, tz, start, end).map((at) => iso(new Date(at))),
      );
    }
  });
});

describe("the scheduler on change days", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  async function firesThrough(rule: string, from: string, to: string): Promise<string[]> {
    const { record, scheduler } = setup(from);
    await scheduler.start(snapshotOf({ t: rule }));
    await vi.advanceTimersByTimeAsync(t(to).getTime() - t(from).getTime());
    await scheduler.stop();
    return record.fired;
  }

  it("fires 30 2 * * * once on 2026-03-08, at 07:30Z", async () => {
    const phase = phaseWith("cron=30 2 * * *&tz=America/New_York");
    expect(phaseZone(phase)).toBe(zone);
    expect(
      await firesThrough(
        "cron=30 2 * * *&tz=America/New_York",
        "2026-03-08T04:00:00Z",
        "2026-03-09T04:00:00Z",
      ),
    ).toEqual(["t@2026-03-08T07:30:00.000Z"]);
  });

  it("fires 30 1 * * * once on 2026-11-01, at 05:30Z", async () => {
    expect(
      await firesThrough(
        "cron=30 1 * * *&tz=America/New_York",
        "2026-11-01T03:00:00Z",
        "2026-11-02T04:00:00Z",
      ),
    ).toEqual(["t@2026-11-01T05:30:00.000Z"]);
  });

  it("fires CRON_TZ=America/New_York 30 1 * * * once too", async () => {
    expect(
      await firesThrough(
        "cron=CRON_TZ=America/New_York 30 1 * * *",
        "2026-11-01T03:00:00Z",
        "2026-11-02T04:00:00Z",
      ),
    ).toEqual(["t@2026-11-01T05:30:00.000Z"]);
  });
});
