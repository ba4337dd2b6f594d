/**
 * Times in the cache: every stored time is UTC ISO text with milliseconds (`2024-01-15T03:04:05.000Z`), so that
 * comparing the text compares the times and the first ten characters are the UTC day. Inputs arrive as RFC 3339 in
 * every shape flowlord and workers produce (second precision, offsets, nanoseconds), so they are normalised here.
 */

const datePrefix = /^\d{4}-\d{2}-\d{2}/;
/** Already what `utc` makes (what `toISOString` writes), apart from the day and time being real ones. */
const canonical = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i;
const dayText = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `text` as UTC ISO with milliseconds; null for "", null or undefined. Text that is not a date is kept as it is:
 * losing the record would be worse than storing a time that does not sort.
 */
export function utc(text: string | null | undefined): string | null {
  if (text === null || text === undefined || text === "") return null;
  // Most times come as `toISOString` wrote them: kept as they are, without a parse and a format per column on the
  // cache's write path.
  if (text.length === 24 && canonical.test(text) && plainly(text)) return text;
  if (!datePrefix.test(text)) return text;
  let iso = text.replace(" ", "T");
  // A time without a zone is UTC here: Date would read it in the machine's zone.
  if (iso.length > 10 && !hasZone.test(iso)) iso += "Z";
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

/**
 * A canonical text whose day and hour Date takes as they are: Date rolls a 30 February or a 24:00 over into the next
 * day, and the normalisation must do the same; a month, minute or second out of range is no time at all, kept as text
 * either way.
 */
function plainly(text: string): boolean {
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (month < 1 || month > 12 || day < 1 || text.slice(11, 13) > "23") return false;
  return day <= 28 || day <= daysIn(Number(text.slice(0, 4)), month);
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The days of a month of the proleptic Gregorian calendar (as Date counts them). */
function daysIn(year: number, month: number): number {
  if (month !== 2) return monthDays[month - 1] ?? 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** `utc(text)`, with "" instead of null, for the columns that are NOT NULL. */
export function utcText(text: string | null | undefined): string {
  return utc(text) ?? "";
}

/** The UTC day (`YYYY-MM-DD`) of a normalised time. */
export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

export function isDay(text: string): boolean {
  // Date rolls 2024-02-30 over into March: a real day survives the round trip.
  const ms = Date.parse(`${text}T00:00:00Z`);
  return dayText.test(text) && !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(text);
}

/** The half-open range of normalised times on a UTC day: `[start, end)`. */
export function dayRange(day: string): readonly [string, string] {
  const start = Date.parse(`${day}T00:00:00.000Z`);
  return [new Date(start).toISOString(), new Date(start + 86_400_000).toISOString()];
}

/** Milliseconds from `from` to `to`, or null when either is missing or not a time. */
export function spanMs(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isNaN(ms) ? null : ms;
}

/** A file-name-safe UTC stamp: `20240115T030405.123Z`. */
export function fileStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, "");
}
