/**
 * A cron spec's fire times (pure): the next slot, the previous one, and the slots of a range. `zone` is the
 * phase's zone; a `CRON_TZ=` zone in the spec wins. What a slot is at a daylight-saving change is decided in
 * walker.ts: for an expression at set hours, a wall that happens twice fires once, the first time, and a wall
 * that never happens fires as read with the offset before the change (02:30 in a 02:00-03:00 gap fires at
 * 03:30 after it); an expression for every hour follows the clock.
 */
import type { CronSpec } from "../rule/index.ts";
import { wallOf } from "../tmpl/index.ts";
import { countWalls } from "./count.ts";
import { slotWalker } from "./walker.ts";
import type { SlotWalker } from "./walls.ts";

/** The first fire time strictly after `after`. */
export function nextSlot(spec: CronSpec, zone: string, after: Date): Date {
  return new Date(slotWalker(spec, zone).after(after.getTime()));
}

/** The last fire time at or before `atOrBefore`, or null when there is none. */
export function previousSlot(spec: CronSpec, zone: string, atOrBefore: Date): Date | null {
  const slot = slotWalker(spec, zone).atOrBefore(atOrBefore.getTime());
  return slot === null ? null : new Date(slot);
}

/** Slots past `max` that are found one by one, so that `more` is exact for short ranges. */
const exactCount = 256;

export interface SlotRange {
  /** The first `max` slots of the range, oldest first. */
  readonly slots: Date[];
  /** How many more slots the range has. */
  readonly more: number;
}

/**
 * The slots s with from < s <= to: the first `max` of them, and how many more there are. `more` is exact for
 * `@every`, and for a cron expression when there are at most 256 more; past that it is counted in wall-clock
 * time day by day, so it can be off by an hour's slots per daylight-saving change, and past 10,000 matching days it
 * is extrapolated. However long the range, no more than max + 256 slots are visited.
 */
export function slotsBetween(spec: CronSpec, zone: string, from: Date, to: Date, max: number): SlotRange {
  const end = to.getTime();
  const walker = slotWalker(spec, zone);
  const slots: Date[] = [];
  let last = from.getTime();
  if (end <= last) return { slots, more: 0 };
  for (let slot = walker.after(last); slot <= end && slots.length < max; slot = walker.after(slot)) {
    slots.push(new Date(slot));
    last = slot;
  }
  return { slots, more: countAfter(spec, spec.tz ?? zone, walker, last, end) };
}

/** The number of slots in (from, to]. */
function countAfter(spec: CronSpec, zone: string, walker: SlotWalker, from: number, to: number): number {
  if (spec.everyMs !== undefined)
    return Math.max(0, Math.floor(to / spec.everyMs) - Math.floor(from / spec.everyMs));
  let count = 0;
  for (let slot = walker.after(from); slot <= to; slot = walker.after(slot)) {
    count += 1;
    if (count === exactCount)
      return count + countWalls(spec.expression, wallOf(slot, zone), wallOf(to, zone));
  }
  return count;
}
