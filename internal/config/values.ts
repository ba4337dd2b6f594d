/**
 * Turning what was written into a key's value and checking it: TOML values from the file, strings from the
 * environment and flags. Every failure is a message naming what was expected and what was got; a secret key's
 * value is never repeated in a message.
 */
import { formatDuration, nearest, parseDuration } from "../rule/index.ts";
import type { ConfigKey, Value } from "./types.ts";

export type Converted =
  | { readonly ok: true; readonly value: Value }
  | { readonly ok: false; readonly message: string };

const fail = (message: string): Converted => ({ ok: false, message });
const ok = (value: Value): Converted => ({ ok: true, value });

/** How a written value is shown in a message: strings quoted, tables and arrays by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date) return "a date";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && value !== null) return "a table";
  return String(value);
}

const durationHint = "write a Go duration such as 90s, 1h30m or 72h";
const sizeHint = 'write bytes, or a size such as "512MB" or "1GiB"';

const expected: Record<ConfigKey["type"], string> = {
  string: "a string",
  topic: "a string",
  duration: 'a duration string such as "90s"',
  integer: "an integer",
  size: 'a size in bytes or a string such as "512MB"',
  boolean: "true or false",
};

function shown(key: ConfigKey, value: unknown): string {
  return key.secret && typeof value === "string" ? "(a hidden value)" : describeValue(value);
}

/** A value from the TOML file, whose types must match the key's. */
export function fromToml(key: ConfigKey, raw: unknown): Converted {
  const wrong = fail(`expected ${expected[key.type]}, got ${shown(key, raw)}`);
  switch (key.type) {
    case "string":
    case "topic":
    case "duration":
      return typeof raw === "string" ? fromText(key, raw) : wrong;
    case "integer":
      return typeof raw === "number" && Number.isInteger(raw) ? checked(key, raw) : wrong;
    case "size":
      if (typeof raw === "number" && Number.isInteger(raw)) return checked(key, raw);
      return typeof raw === "string" ? fromText(key, raw) : wrong;
    case "boolean":
      return typeof raw === "boolean" ? ok(raw) : wrong;
  }
}

/** A value written as text: an environment variable, a flag, or a TOML string. */
export function fromText(key: ConfigKey, text: string): Converted {
  switch (key.type) {
    case "string":
      return checked(key, text);
    case "topic":
      return checked(key, text === "-" ? "" : text);
    case "duration": {
      const ms = parseDuration(text.trim());
      return ms === null
        ? fail(`invalid duration ${describeValue(text)}; ${durationHint}`)
        : checked(key, ms);
    }
    case "integer":
      return /^[+-]?\d+$/.test(text.trim())
        ? checked(key, Number(text.trim()))
        : fail(`expected an integer, got ${describeValue(text)}`);
    case "size": {
      const bytes = parseSize(text);
      return bytes === null ? fail(`invalid size ${describeValue(text)}; ${sizeHint}`) : checked(key, bytes);
    }
    case "boolean": {
      const word = text.trim().toLowerCase();
      if (word === "true" || word === "1") return ok(true);
      if (word === "false" || word === "0") return ok(false);
      return fail(`expected true, false, 1 or 0, got ${describeValue(text)}`);
    }
  }
}

const sizeUnits = new Map<string, number>([
  ["", 1],
  ["b", 1],
  ["k", 1e3],
  ["kb", 1e3],
  ["m", 1e6],
  ["mb", 1e6],
  ["g", 1e9],
  ["gb", 1e9],
  ["t", 1e12],
  ["tb", 1e12],
  ["ki", 2 ** 10],
  ["kib", 2 ** 10],
  ["mi", 2 ** 20],
  ["mib", 2 ** 20],
  ["gi", 2 ** 30],
  ["gib", 2 ** 30],
  ["ti", 2 ** 40],
  ["tib", 2 ** 40],
]);

/**
 * Bytes from `1024`, `-1`, `512MB`, `1.5GiB`: KB/MB/GB/TB are powers of 1000 and KiB/MiB/GiB/TiB powers of
 * 1024, units in any case. A fraction of a byte is dropped. Null when it is not a size.
 */
export function parseSize(text: string): number | null {
  const match = /^\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*([A-Za-z]*)\s*$/.exec(text);
  const scale = sizeUnits.get((match?.[2] ?? "").toLowerCase());
  if (match?.[1] === undefined || scale === undefined) return null;
  const bytes = Math.trunc(Number(match[1]) * scale);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** Bounds, choices and the key's own check, on a converted value. */
function checked(key: ConfigKey, value: Value): Converted {
  const problem = checkValue(key, value);
  return problem === undefined ? ok(value) : fail(problem);
}

function checkValue(key: ConfigKey, value: Value): string | undefined {
  if (typeof value === "number") {
    if (key.type === "duration") return checkDuration(key, value);
    if (key.type === "size")
      return value === -1 || value > 0
        ? undefined
        : `expected -1 (no limit) or a positive size, got ${value}`;
    return checkRange(key, value);
  }
  if (typeof value !== "string") return undefined;
  if (key.choices !== undefined && !key.choices.includes(value)) {
    const suggestion = nearest(value, key.choices);
    const hint = suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
    return `expected one of ${key.choices.join(", ")}, got ${describeValue(value)}${hint}`;
  }
  return key.check?.(value);
}

function checkDuration(key: ConfigKey, ms: number): string | undefined {
  const least = key.min ?? 0;
  if (ms >= least) return undefined;
  return least === 0
    ? `must not be negative, got ${formatDuration(ms)}`
    : `must be at least ${formatDuration(least)}, got ${formatDuration(ms)}`;
}

function checkRange(key: ConfigKey, n: number): string | undefined {
  if (!Number.isSafeInteger(n)) return `expected an integer, got ${n}`;
  const { min, max } = key;
  if ((min === undefined || n >= min) && (max === undefined || n <= max)) return undefined;
  if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}, got ${n}`;
  return min !== undefined ? `must be at least ${min}, got ${n}` : `must be at most ${max}, got ${n}`;
}
