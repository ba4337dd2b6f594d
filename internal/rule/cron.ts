/**
 * Validates and normalises a rule's `cron=` spec. Flowlord used robfig/cron v3 with optional seconds, so the
 * accepted language is robfig's: 5 fields (`min hour dom month dow`), 6 fields with seconds FIRST,
 * descriptors (`@daily`, `@every 90s`), and a `CRON_TZ=Zone ` / `TZ=Zone ` prefix. Every spec is normalised
 * to six fields, seconds first, and checked by cron-parser, which the scheduler later uses with that
 * expression.
 * cron-parser also knows `L`, `W`, `#` and `H`, which robfig did not; those are refused here so a workflow
 * that runs on taskmaster still means the same thing everywhere its rules are read.
 */

import { CronExpressionParser } from "cron-parser";
import { durationExamples, formatDuration, parseDuration } from "./duration.ts";
import type { CronSpec } from "./types.ts";

/** robfig's descriptors, as six-field expressions (seconds first). */
const descriptors = new Map<string, string>([
  ["@yearly", "0 0 0 1 1 *"],
  ["@annually", "0 0 0 1 1 *"],
  ["@monthly", "0 0 0 1 * *"],
  ["@weekly", "0 0 0 * * 0"],
  ["@daily", "0 0 0 * * *"],
  ["@midnight", "0 0 0 * * *"],
  ["@hourly", "0 0 * * * *"],
]);

const monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const fieldNames = ["second", "minute", "hour", "day of month", "month", "day of week"] as const;

/** robfig's field grammar: numbers, `* ? , - /`, and three-letter names in the month and weekday fields. */
const fieldCharacters = /^[0-9A-Za-z*?,/-]+$/;

export type CronResult = { readonly spec: CronSpec } | { readonly error: string };

/** True when `zone` is a time zone this runtime knows (an IANA name such as `America/New_York`, or `UTC`). */
export function isTimeZone(zone: string): boolean {
  if (zone === "") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Splits off a `CRON_TZ=Zone ` or `TZ=Zone ` prefix, as robfig does, before anything else is read. */
function splitZone(text: string): { zone?: string; body: string } | { error: string } {
  const trimmed = text.trim();
  const prefix = /^(?:CRON_TZ|TZ)=(\S*)(?:\s+|$)/.exec(trimmed);
  if (prefix === null) return { body: trimmed };
  const zone = prefix[1] ?? "";
  if (!isTimeZone(zone)) return { error: `unknown time zone "${zone}" (use an IANA name like Europe/Paris)` };
  return { zone, body: trimmed.slice(prefix[0].length) };
}

/** Checks what cron-parser would accept but robfig would not: stray letters (`L`, `W`, `H`) and `#`. */
function checkField(value: string, index: number): string | undefined {
  const name = fieldNames[index] ?? "field";
  if (!fieldCharacters.test(value)) return `${name} "${value}" has characters cron does not allow`;
  const names = index === 4 ? monthNames : index === 5 ? dayNames : [];
  for (const word of value.match(/[A-Za-z]+/g) ?? []) {
    if (!names.includes(word.toLowerCase())) {
      const allowed =
        names.length > 0 ? ` (use ${names[0]?.toUpperCase()}-${names.at(-1)?.toUpperCase()})` : "";
      return `${name} "${value}": "${word}" is not a name${allowed}`;
    }
  }
  return undefined;
}

/** Normalises five or six fields to six, seconds first, and validates them. */
function parseFields(body: string): { expression: string } | { error: string } {
  const fields = body.split(/\s+/).filter((field) => field !== "");
  if (fields.length !== 5 && fields.length !== 6) {
    return { error: `expected 5 or 6 fields (or a descriptor like @daily), found ${fields.length}` };
  }
  if (fields.length === 5) fields.unshift("0");
  for (const [index, field] of fields.entries()) {
    const problem = checkField(field, index);
    if (problem !== undefined) return { error: problem };
  }
  const expression = fields.join(" ");
  try {
    CronExpressionParser.parse(expression, { tz: "UTC" });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  return { expression };
}

/** `@every <duration>`: a fixed interval. robfig silently rounded anything under 1s up; we refuse it. */
function parseEvery(argument: string): { everyMs: number } | { error: string } {
  const everyMs = parseDuration(argument.trim());
  if (everyMs === null) return { error: `@every needs ${durationExamples}, got "${argument.trim()}"` };
  if (everyMs < 1000) return { error: `@every ${formatDuration(everyMs)} is shorter than 1s` };
  return { everyMs };
}

/**
 * Validates a cron spec as written in a rule and returns its normal form: `expression` holds six fields,
 * seconds first, ready for cron-parser; `@every` gives `everyMs` and an empty expression instead. The error
 * says why the spec is wrong, including cron-parser's own message where it was the one to object.
 */
export function parseCronSpec(text: string): CronResult {
  const zoned = splitZone(text);
  if ("error" in zoned) return zoned;
  const { body } = zoned;
  const zone = zoned.zone === undefined ? {} : { tz: zoned.zone };
  if (body === "") return { error: "empty spec" };
  if (body.startsWith("@every ") || body === "@every") {
    const every = parseEvery(body.slice("@every".length));
    if ("error" in every) return every;
    return { spec: { text, expression: "", everyMs: every.everyMs, ...zone } };
  }
  if (body.startsWith("@")) {
    const expression = descriptors.get(body);
    if (expression === undefined) {
      return {
        error: `unknown descriptor "${body}" (use @yearly, @monthly, @weekly, @daily, @hourly or @every)`,
      };
    }
    return { spec: { text, expression, ...zone } };
  }
  const fields = parseFields(body);
  if ("error" in fields) return fields;
  return { spec: { text, expression: fields.expression, ...zone } };
}
