/**
 * Deriving a child task's time from its parent (flowlord §2.5: `tmpl.TaskTime`, `InfoTime`, `PathTime`).
 *
 * A child rendered from a parent needs the parent's time: its `cron` meta key if it has one, else a date found in
 * its info (a query value like `?day=2020-01-02`, or a path like `/2020/01/02/`). All results are wall-clock Dates
 * (UTC fields), or null for flowlord's zero time. Each list of rules stops at the first rule whose pattern matches:
 * if the matched text is not a real date (month 13, Feb 30, hour 24), the answer is null, not a later rule's guess.
 *
 * Where flowlord differs: here a key word must start a segment (`birthday=` and `update=` do not count as `day=` and
 * `date=`, as they do in flowlord), and `time=` (and the other RFC 3339 keys) accept fractional seconds and `±hh:mm`
 * offsets.
 */

import { parseHour, rfc3339FromGroups, rfc3339Source, wallFromFields } from "./timetext.ts";

/** What may precede a key word: the start, a query/map/path separator, or whitespace. */
const keyStart = String.raw`(?:^|[?&;:/=,\s])`;

const rfc3339Key = new RegExp(`${keyStart}(?:day|date|time|timestamp)[=:]${rfc3339Source}`);
const hourKey = new RegExp(String.raw`${keyStart}(?:date|hour|hour_utc)[=:](\d{4})-(\d{2})-(\d{2})T(\d{2})`);
const dayKey = new RegExp(String.raw`${keyStart}(?:day|date)[=:](\d{4})-(\d{2})-(\d{2})`);

/**
 * A path rule: a pattern whose groups are year, month, day, hour, minute, second in turn (as many as it has), and
 * whether it looks at the basename only. Fields a pattern lacks default to the start of the period.
 */
interface PathRule {
  readonly pattern: RegExp;
  readonly basenameOnly: boolean;
}

const pathRules: readonly PathRule[] = [
  { pattern: /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/, basenameOnly: true },
  { pattern: /(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})/, basenameOnly: false },
  { pattern: /(\d{4})\/(\d{2})\/(\d{2})/, basenameOnly: false },
  { pattern: /(\d{4})-(\d{2})-(\d{2})/, basenameOnly: false },
  { pattern: /(\d{4})\/(\d{2})/, basenameOnly: false },
];

/** Builds the wall clock from captured groups (year, month, day, hour, minute, second; missing ones default). */
function fromGroups(m: RegExpExecArray): Date | null {
  const n = (i: number, fallback: number) => (m[i] === undefined ? fallback : Number(m[i]));
  return wallFromFields({
    year: n(1, 0),
    month: n(2, 1),
    day: n(3, 1),
    hour: n(4, 0),
    minute: n(5, 0),
    second: n(6, 0),
  });
}

/**
 * The time a file path carries, first rule that matches (leftmost occurrence): a `20060102T150405` stamp in the
 * basename, then `YYYY/MM/DD/HH`, `YYYY/MM/DD`, `YYYY-MM-DD`, `YYYY/MM` (the 1st of the month) anywhere in the path.
 */
export function pathTime(path: string): Date | null {
  const basename = path.slice(path.lastIndexOf("/") + 1);
  for (const rule of pathRules) {
    const m = rule.pattern.exec(rule.basenameOnly ? basename : path);
    if (m) return fromGroups(m);
  }
  return null;
}

/** A URI scheme, as Go's `url.Parse` finds one: a letter, then letters, digits, `+ - .`, up to the first `:`. */
const schemePattern = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * The path of `info`, decoded, as Go's `url.Parse(info).Path` gives it: without scheme, authority, query and
 * fragment. An opaque URI (`scheme:rest`, rest not starting with `/`) has no path. A bad `%` escape leaves the
 * path undecoded rather than failing (flowlord gave the zero time; the path's date is still worth reading).
 */
export function uriPath(info: string): string {
  let rest = info;
  const end = rest.search(/[?#]/);
  if (end >= 0) rest = rest.slice(0, end);
  const scheme = schemePattern.exec(rest);
  if (scheme) {
    rest = rest.slice(scheme[0].length);
    if (!rest.startsWith("/")) return "";
  }
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    rest = slash < 0 ? "" : rest.slice(slash);
  }
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

const timeHint = /[0-9%]/;

/**
 * The time a task's info carries: an RFC 3339 `day|date|time|timestamp` value, else a `date|hour|hour_utc` hour
 * (`2006-01-02T15`), else a `day|date` day, each written `key=value` or `key:value`; else `pathTime` of its path.
 */
export function infoTime(info: string): Date | null {
  // Every rule needs digits, written out or (in the path) as percent escapes: most infos of a burst have neither.
  if (!timeHint.test(info)) return null;
  const stamp = rfc3339Key.exec(info);
  if (stamp) return rfc3339FromGroups(stamp);
  const hour = hourKey.exec(info);
  if (hour) return fromGroups(hour);
  const day = dayKey.exec(info);
  if (day) return fromGroups(day);
  return pathTime(uriPath(info));
}

/** A parent task's time: its `cron` meta key (`2006-01-02T15`) when that is valid, else `infoTime(info)`. */
export function taskTime(meta: ReadonlyMap<string, string>, info: string): Date | null {
  const cron = meta.get("cron");
  const fromCron = cron === undefined ? null : parseHour(cron);
  return fromCron ?? infoTime(info);
}
