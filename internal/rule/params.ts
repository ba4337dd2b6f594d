/**
 * Readers for the rule params whose values have a syntax of their own: `meta`, `require`, `by`, `catchup`,
 * `no_alert` and the numbers. Each takes the decoded value and returns the typed value or a message saying
 * what a valid one looks like; `parse.ts` decides which key and severity the message is reported under.
 */

import type { Catchup, MetaRow, Step } from "./types.ts";

export type Read<T> = { readonly value: T } | { readonly error: string };

/** `{meta:key}` as flowlord's template engine reads it: the key is `\w+` and nothing else. */
const metaReference = /\{meta:(\w+)\}/g;

/** What `require` asks for, plus the comma-separated parts naming no `{meta:key}` (flowlord ignored them). */
export interface Requirement {
  readonly keys: readonly string[];
  readonly ignored: readonly string[];
}

/**
 * Collects the meta keys of every `require` value. `require` may be repeated or hold comma-joined values;
 * either way every `{meta:KEY}` counts, once, in the order written.
 */
export function readRequire(values: readonly string[]): Requirement {
  const keys: string[] = [];
  const ignored: string[] = [];
  for (const part of values.flatMap((value) => value.split(","))) {
    const found = [...part.matchAll(metaReference)].map((match) => match[1] ?? "");
    if (found.length === 0) ignored.push(part);
    for (const key of found) if (!keys.includes(key)) keys.push(key);
  }
  return { keys, ignored };
}

/**
 * `meta=key:v1,v2,v3|key2:w1,w2,w3` → one row per value position, each row holding every key in written
 * order. `|` separates keys, the first `:` splits a key from its values, `,` separates values (an empty
 * value is a value). Empty entries, as from a trailing `|`, are skipped.
 */
export function readMeta(text: string): Read<readonly MetaRow[]> {
  const columns = new Map<string, string[]>();
  for (const entry of text.split("|")) {
    if (entry === "") continue;
    const colon = entry.indexOf(":");
    if (colon < 0) return { error: `meta entry "${entry}" has no ":"; write key:v1,v2|key2:w1,w2` };
    const key = entry.slice(0, colon);
    if (key === "") return { error: `meta entry "${entry}" has no key before ":"` };
    if (columns.has(key)) return { error: `meta key "${key}" is given twice` };
    columns.set(key, entry.slice(colon + 1).split(","));
  }
  const [first, ...others] = [...columns];
  if (first === undefined) return { value: [] };
  const [firstKey, firstValues] = first;
  for (const [key, values] of others) {
    if (values.length !== firstValues.length) {
      const lengths = `${firstKey} has ${firstValues.length} values, ${key} has ${values.length}`;
      return { error: `inconsistent lengths in meta: ${lengths}` };
    }
  }
  const rows = firstValues.map(
    (_, i) => new Map([...columns].map(([key, values]) => [key, values[i] ?? ""])),
  );
  return { value: rows };
}

const steps = new Map<string, Step>([
  ["hour", "hour"],
  ["hourly", "hour"],
  ["day", "day"],
  ["daily", "day"],
  ["week", "week"],
  ["weekly", "week"],
  ["month", "month"],
  ["monthly", "month"],
]);

/** `by=`, case-insensitive as in flowlord. Flowlord used day for anything else, so that is a warning. */
export function readStep(text: string): Read<Step> {
  const step = steps.get(text.toLowerCase());
  if (step === undefined)
    return { error: `unknown step "${text}"; using day (use hour, day, week or month)` };
  return { value: step };
}

const catchups: readonly Catchup[] = ["latest", "all", "none"];

/** `catchup=`: new in taskmaster, so strict (but case-insensitive, like `by`). */
export function readCatchup(text: string): Read<Catchup> {
  const catchup = catchups.find((name) => name === text.toLowerCase());
  if (catchup === undefined) return { error: `catchup must be latest, all or none, not "${text}"` };
  return { value: catchup };
}

/**
 * `no_alert`: present means true, bare or with any value, except an explicit `false`, `0` or `no`. Flowlord
 * ignored a bare `no_alert` (it needed a non-empty value); that was a bug, not a feature to keep.
 */
export function readNoAlert(text: string): boolean {
  return !["false", "0", "no"].includes(text.toLowerCase());
}

/** `backoff=`: the delay multiplier per retry. Below 1 the delays would shrink, which no one means. */
export function readBackoff(text: string): Read<number> {
  const backoff = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (!(backoff >= 1 && Number.isFinite(backoff))) {
    return {
      error: `backoff must be a number >= 1 (1 keeps the delay constant, 2 doubles it), not "${text}"`,
    };
  }
  return { value: backoff };
}

/** `catchup_max=`: a whole number of slots, at least 1. */
export function readCatchupMax(text: string): Read<number> {
  const max = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(max) && max >= 1)) {
    return { error: `catchup_max must be a whole number >= 1, not "${text}"` };
  }
  return { value: max };
}
