/**
 * Walks a spec's slots (pure): the first slot after an instant, the last one at or before it. This is where
 * a slot is defined, daylight saving included.
 *
 * The expression is matched against wall clocks by cron-parser in UTC, where there is no daylight saving to
 * get wrong; the zone's rules then say which instants those walls are. cron-parser's own zone support is not
 * used: its answers at a change depend on where the search starts (in New York on 2026-03-08 a search from
 * 03:29:59 EDT skips that day's 02:30 slot and `prev()` never returns it; a search from 01:29:59 EST on
 * 2026-11-01 returns the second 01:30). The rules are the ones cron-parser follows when it walks forward
 * through a change, which are Vixie cron's:
 * - an expression for every hour (`*` in the hour field) follows the clock (clock.ts): a repeated wall fires
 *   both times, a skipped one never, so every 15 minutes stays every 15 minutes of real time;
 * - an expression for set hours fires each matching wall once (fixed.ts): a repeated wall the first time, a
 *   skipped one as read with the offset before the change (02:30 in a 02:00-03:00 gap fires at 03:30).
 * `@every` ignores zones: slots are whole multiples of its interval since the Unix epoch.
 */
import type { CronSpec } from "../rule/index.ts";
import { clockWalker } from "./clock.ts";
import { fixedWalker } from "./fixed.ts";
import { type SlotWalker, wallsOf } from "./walls.ts";

/** A walker for `spec` in `zone` (a `CRON_TZ=` zone in the spec wins). */
export function slotWalker(spec: CronSpec, zone: string): SlotWalker {
  if (spec.everyMs !== undefined) return everyWalker(spec.everyMs);
  const walls = wallsOf(spec.expression);
  const tz = spec.tz ?? zone;
  if (tz === "UTC") return walls;
  return walls.everyHour ? clockWalker(walls, tz) : fixedWalker(walls, tz);
}

function everyWalker(everyMs: number): SlotWalker {
  return {
    after: (instant) => (Math.floor(instant / everyMs) + 1) * everyMs,
    atOrBefore: (instant) => Math.floor(instant / everyMs) * everyMs,
  };
}
