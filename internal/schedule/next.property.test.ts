/** Properties of the slot arithmetic over random expressions, zones and ranges, daylight-saving days included. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CronSpec } from "../rule/index.ts";
import { specOf } from "./fixture.ts";
import { nextSlot, previousSlot, slotsBetween } from "./next.ts";

const zones = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"];

/** Instants at which some of those zones change offset in 2026, and plain days. */
const anchors = [
  "2026-03-08T07:00:00Z",
  "2026-11-01T06:00:00Z",
  "2026-03-29T01:00:00Z",
  "2026-10-25T01:00:00Z",
  "2026-04-04T15:00:00Z",
  "2026-10-03T15:30:00Z",
  "2026-01-15T12:00:00Z",
  "2026-06-15T12:00:00Z",
].map((text) => Date.parse(text));

const expression = fc
  .tuple(
    fc.constantFrom("0", "30", "*/20"),
    fc.constantFrom("*", "*/5", "0", "30", "7,37", "10-20"),
    fc.constantFrom("*", "2", "1-3", "*/6", "0,2,23", "9-17"),
    fc.constantFrom("*", "*", "1", "8,25"),
    fc.constantFrom("*", "*", "3", "*/2"),
    fc.constantFrom("*", "*", "1-5", "0"),
  )
  .map((fields) => fields.join(" "));

const spec: fc.Arbitrary<CronSpec> = fc.oneof(
  { weight: 5, arbitrary: expression.map(specOf) },
  { weight: 1, arbitrary: fc.constantFrom("@every 90s", "@every 7m", "@hourly", "@daily").map(specOf) },
);

const start = fc
  .tuple(fc.constantFrom(...anchors), fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 }))
  .map(([anchor, shift]) => anchor + shift);

describe("slotsBetween", () => {
  it("gives strictly increasing slots, each the nextSlot of the one before, each its own previousSlot", () => {
    fc.assert(
      fc.property(
        spec,
        fc.constantFrom(...zones),
        start,
        fc.integer({ min: 1, max: 3 * 86_400_000 }),
        (cron, zone, from, length) => {
          const to = from + length;
          const { slots } = slotsBetween(cron, zone, new Date(from), new Date(to), 25);
          let before = from;
          for (const slot of slots) {
            const time = slot.getTime();
            expect(time).toBeGreaterThan(before);
            expect(time).toBeLessThanOrEqual(to);
            expect(nextSlot(cron, zone, new Date(before)).getTime()).toBe(time);
            expect(previousSlot(cron, zone, slot)?.getTime()).toBe(time);
            if (before > from) expect(previousSlot(cron, zone, new Date(time - 1))?.getTime()).toBe(before);
            before = time;
          }
          if (slots.length < 25) expect(nextSlot(cron, zone, new Date(before)).getTime()).toBeGreaterThan(to);
        },
      ),
      { numRuns: 120 },
    );
  });

  it("counts what it does not list exactly in UTC", () => {
    fc.assert(
      fc.property(spec, start, fc.integer({ min: 1, max: 6 * 3_600_000 }), (cron, from, length) => {
        const range = [new Date(from), new Date(from + length)] as const;
        const listed = slotsBetween(cron, "UTC", ...range, 100_000).slots.length;
        const counted = slotsBetween(cron, "UTC", ...range, 0).more;
        expect(counted).toBe(listed);
      }),
      { numRuns: 60 },
    );
  });
});
