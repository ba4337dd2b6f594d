/**
 * The wall-clock time model: converting between an instant and what a clock in an IANA zone shows.
 *
 * A wall clock is a Date whose UTC fields ARE the fields to print; it is not an instant. Templates, the `cron` meta
 * key and task times all work in wall clocks, so the rest of the module never asks the host for its zone (flowlord
 * rendered in the process's local zone, so `TZ` changed its output: §11 item 13). Only this file knows zones, and it
 * learns them from `Intl`, which ships the IANA database with Node.
 */

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** One formatter per zone: building an `Intl.DateTimeFormat` costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    // h23, not hour12:false: the latter prints midnight as "24" in some ICU versions.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(tz, f);
  }
  return f;
}

function isUtc(tz: string): boolean {
  return tz === "UTC" || tz === "Etc/UTC";
}

/** The wall clock as milliseconds, read from the formatter's parts. */
function wallMs(instantMs: number, tz: string): number {
  const fields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  let beforeChrist = false;
  for (const part of formatterFor(tz).formatToParts(instantMs)) {
    if (part.type === "era") beforeChrist = part.value.startsWith("B");
    else if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  // Intl counts eras (1 BC, 2 BC ...); Date counts astronomically (0, -1 ...).
  const year = beforeChrist ? 1 - fields.year : fields.year;
  const d = new Date(0);
  d.setUTCFullYear(year, fields.month - 1, fields.day);
  d.setUTCHours(fields.hour, fields.minute, fields.second, 0);
  // Zone offsets are whole seconds, so the milliseconds carry over unchanged.
  const ms = ((instantMs % 1000) + 1000) % 1000;
  return d.getTime() + ms;
}

/**
 * The wall clock of `instant` in IANA zone `tz`. `toWall(x, "UTC")` is the same time.
 * An unknown zone throws a RangeError (from `Intl`): zones are checked when config and workflows load.
 */
export function toWall(instant: Date, tz: string): Date {
  if (isUtc(tz) || Number.isNaN(instant.getTime())) return new Date(instant.getTime());
  return new Date(wallMs(instant.getTime(), tz));
}

/** The zone's offset (wall minus instant) at an instant, in milliseconds. */
function offsetAt(instantMs: number, tz: string): number {
  return wallMs(instantMs, tz) - instantMs;
}

/**
 * The instant whose wall clock in `tz` is `wall`.
 *
 * Around a transition a wall time can have two instants or none. We resolve both with the offset in force
 * *before* the transition, as java.time and Temporal's "compatible" mode do:
 * - ambiguous (fall-back, 2026-11-01 01:30 in New York): the earlier instant, 05:30Z (EDT), not 06:30Z (EST);
 * - in the gap (spring-forward, 2026-03-08 02:30 in New York): 02:30 at the old offset, 07:30Z, which a clock
 *   shows as 03:30 EDT; the time moves forward by the length of the gap, so a job is late, never early or lost.
 */
export function fromWall(wall: Date, tz: string): Date {
  const w = wall.getTime();
  if (isUtc(tz) || Number.isNaN(w)) return new Date(w);
  // Offsets never exceed ±14h, so a day either side of the wall reading lies on either side of any transition
  // that could affect it.
  const before = offsetAt(w - dayMs, tz);
  const candidates = [before, offsetAt(w, tz), offsetAt(w + dayMs, tz)]
    .map((offset) => w - offset)
    .filter((instant) => wallMs(instant, tz) === w);
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  return new Date(w - before);
}
