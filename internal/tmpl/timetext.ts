/**
 * Time as text: the few layouts flowlord reads and writes, parsed strictly and built without the host's time zone.
 *
 * Every Date here is a *wall clock*: its UTC fields are the fields to print (see `wallclock.ts`). Parsers return
 * `null` instead of throwing, because their input comes from people, URLs and parent tasks; a date that does not
 * exist (2020-02-30, hour 24) is `null`, never silently rolled over into the next month as `Date.UTC` would.
 */

/** Calendar fields of a wall-clock time; month is 1-12, as written, not 0-11 as in `Date`. */
export interface WallFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour?: number;
  readonly minute?: number;
  readonly second?: number;
  readonly millisecond?: number;
}

/**
 * Builds the wall-clock Date for the fields, or `null` when they name no real time.
 * `setUTCFullYear` is used because `Date.UTC` maps years 0-99 to 1900-1999.
 */
export function wallFromFields(f: WallFields): Date | null {
  const { year, month, day, hour = 0, minute = 0, second = 0, millisecond = 0 } = f;
  if (year < 0 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (hour > 23 || minute > 59 || second > 59 || hour < 0 || minute < 0 || second < 0) return null;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, millisecond);
  // Date rolls Feb 30 over to Mar 1 (or 2); a changed day means the date does not exist.
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month - 1) return null;
  return d;
}

/** Zero-pads a non-negative integer to `width` digits. */
export function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function assertValid(d: Date): void {
  if (Number.isNaN(d.getTime())) throw new RangeError("invalid Date");
}

/** `2006-01-02T15` form, the layout of the `cron` meta key (e.g. `2024-01-15T08`). Throws on an invalid Date. */
export function formatHour(wall: Date): string {
  assertValid(wall);
  return `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T${pad(wall.getUTCHours())}`;
}

/** `2006-01-02T15:04:05Z`: UTC at second precision, as Go's RFC3339 layout prints a UTC time. Throws on an invalid Date. */
export function formatRfc3339(instant: Date): string {
  assertValid(instant);
  // Tasks of a burst are stamped with the same second: the text of the last second is kept.
  const second = Math.floor(instant.getTime() / 1000);
  if (second === lastSecond) return lastText;
  const date = `${pad(instant.getUTCFullYear(), 4)}-${pad(instant.getUTCMonth() + 1)}-${pad(instant.getUTCDate())}`;
  const time = `${pad(instant.getUTCHours())}:${pad(instant.getUTCMinutes())}:${pad(instant.getUTCSeconds())}`;
  lastSecond = second;
  lastText = `${date}T${time}Z`;
  return lastText;
}

let lastSecond = Number.NaN;
let lastText = "";

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const hourPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/;

/**
 * The body of an RFC 3339 date-time, without anchors, so `tasktime.ts` can find one inside a longer string.
 * Groups: year, month, day, hour, minute, second, fraction (with its dot), zone (`Z` or `±hh:mm`).
 */
export const rfc3339Source = String.raw`(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})`;
const rfc3339Pattern = new RegExp(`^${rfc3339Source}$`);

/** Reads digits captured by a pattern; a missing group (impossible for the patterns above) reads as NaN. */
function num(text: string | undefined): number {
  return text === undefined ? Number.NaN : Number(text);
}

/** Strict `YYYY-MM-DD` (midnight UTC), or null. */
export function parseDay(text: string): Date | null {
  const m = dayPattern.exec(text);
  if (!m) return null;
  return wallFromFields({ year: num(m[1]), month: num(m[2]), day: num(m[3]) });
}

/** Strict `YYYY-MM-DDTHH` (Go layout `2006-01-02T15`), or null: `2020-13-01T00` and `2020-01-01T24` are null. */
export function parseHour(text: string): Date | null {
  const m = hourPattern.exec(text);
  if (!m) return null;
  return wallFromFields({ year: num(m[1]), month: num(m[2]), day: num(m[3]), hour: num(m[4]) });
}

/**
 * Converts the groups of an `rfc3339Source` match to the UTC instant. The fraction is kept to the millisecond
 * (a Date holds no more); the offset is subtracted, so `03:00:00+02:00` is `01:00:00Z`.
 */
export function rfc3339FromGroups(m: ReadonlyArray<string | undefined>): Date | null {
  const fraction = m[7] ?? "";
  const millisecond = fraction === "" ? 0 : Number(fraction.slice(1, 4).padEnd(3, "0"));
  const local = wallFromFields({
    year: num(m[1]),
    month: num(m[2]),
    day: num(m[3]),
    hour: num(m[4]),
    minute: num(m[5]),
    second: num(m[6]),
    millisecond,
  });
  const zone = m[8] ?? "Z";
  if (local === null || zone === "Z") return local;
  const offsetHours = Number(zone.slice(1, 3));
  const offsetMinutes = Number(zone.slice(4, 6));
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  const sign = zone.startsWith("-") ? -1 : 1;
  return new Date(local.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
}

/** Strict RFC 3339 date-time (`Z` or `±hh:mm`, optional fraction), converted to UTC; null if it is not one. */
export function parseRfc3339(text: string): Date | null {
  const m = rfc3339Pattern.exec(text);
  return m ? rfc3339FromGroups(m) : null;
}

/**
 * A time typed by a person or sent in a backload request, tried as `YYYY-MM-DD`, then `YYYY-MM-DDTHH`, then
 * RFC 3339; all read as UTC. Surrounding whitespace is ignored (people paste it); anything else invalid is null.
 */
export function parseTimeInput(text: string): Date | null {
  const t = text.trim();
  return parseDay(t) ?? parseHour(t) ?? parseRfc3339(t);
}
