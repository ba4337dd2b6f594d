/**
 * Wall clocks and instants in an IANA zone (pure). A cron expression matches wall-clock times; this file says
 * which instant a wall-clock time is, including the two awkward cases a daylight-saving change makes: a wall time
 * that never happens (spring forward) and one that happens twice (fall back).
 *
 * A "wall" is a local date and time written as if it were UTC, in ms since the epoch: 2026-03-08 02:30 in New
 * York is the wall `Date.UTC(2026, 2, 8, 2, 30)`. Offsets are ms east of UTC (New York in winter: -5h), so
 * `wall = instant + offset`. Zones are assumed to change offset at most once in any two days, as every zone
 * in the tz database has done since 2012.
 */

const dayMs = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let found = formatters.get(zone);
  if (found === undefined) {
    found = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, found);
  }
  return found;
}

/** The zone's offset from UTC at `instant`, in ms (whole seconds). */
export function offsetAt(instant: number, zone: string): number {
  if (zone === "UTC") return 0;
  const second = Math.floor(instant / 1000) * 1000;
  const fields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  let beforeChrist = false;
  for (const part of formatter(zone).formatToParts(second)) {
    if (part.type === "era") beforeChrist = part.value.startsWith("B");
    else if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  // Intl counts eras (1 BC, 2 BC ...) where Date counts 0, -1 ...; and Date.UTC would read years 0-99 as 19xx.
  const d = new Date(0);
  d.setUTCFullYear(beforeChrist ? 1 - fields.year : fields.year, fields.month - 1, fields.day);
  d.setUTCHours(fields.hour, fields.minute, fields.second, 0);
  const wall = d.getTime();
  return wall - second;
}

/** The wall clock in `zone` at `instant`. */
export function wallOf(instant: number, zone: string): number {
  return instant + offsetAt(instant, zone);
}

/** A change of offset: the first instant of the new offset, and the offsets before and after it. */
export interface OffsetChange {
  readonly at: number;
  readonly before: number;
  readonly after: number;
}

/** The change of offset between `from` and `to` (whose offsets differ), found to the second. */
export function changeBetween(from: number, to: number, zone: string): OffsetChange {
  const before = offsetAt(from, zone);
  let low = Math.floor(from / 1000);
  let high = Math.ceil(to / 1000);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(middle * 1000, zone) === before) low = middle;
    else high = middle;
  }
  return { at: high * 1000, before, after: offsetAt(high * 1000, zone) };
}

/** The change of offset in (instant - lookbackMs, instant], if there is one. */
export function recentChange(instant: number, zone: string, lookbackMs: number): OffsetChange | undefined {
  if (zone === "UTC") return undefined;
  if (offsetAt(instant - lookbackMs, zone) === offsetAt(instant, zone)) return undefined;
  return changeBetween(instant - lookbackMs, instant, zone);
}

/**
 * The instant of a wall-clock time:
 * - `normal`: the wall happens once.
 * - `repeated` (fall back): it happens twice, at `at` and at `again`. `endWall` is the first wall after the
 *   repeated stretch (the wall at which the clock is set back).
 * - `skipped` (spring forward): it never happens; `at` reads it with the offset before the change, so 02:30 in
 *   a gap from 02:00 to 03:00 is 03:30 after the change, which is what cron-parser does. `endWall` is the first
 *   wall after the gap.
 */
export type WallInstant =
  | { readonly kind: "normal"; readonly at: number }
  | { readonly kind: "repeated"; readonly at: number; readonly again: number; readonly endWall: number }
  | { readonly kind: "skipped"; readonly at: number; readonly endWall: number };

export function instantOfWall(wall: number, zone: string): WallInstant {
  const early = offsetAt(wall - dayMs, zone);
  const late = offsetAt(wall + dayMs, zone);
  if (early === late) return { kind: "normal", at: wall - early };
  const byEarly = wall - early;
  const byLate = wall - late;
  const earlyFits = offsetAt(byEarly, zone) === early;
  const lateFits = offsetAt(byLate, zone) === late;
  if (earlyFits !== lateFits) return { kind: "normal", at: earlyFits ? byEarly : byLate };
  const change = changeBetween(Math.min(byEarly, byLate), Math.max(byEarly, byLate), zone);
  // Repeated: the stretch ends at the wall the clock is set back from. Skipped: the gap ends at the wall the
  // clock jumps to. Both are the change's instant read with the larger offset.
  const endWall = change.at + Math.max(early, late);
  if (earlyFits) {
    return { kind: "repeated", at: Math.min(byEarly, byLate), again: Math.max(byEarly, byLate), endWall };
  }
  return { kind: "skipped", at: byEarly, endWall };
}
