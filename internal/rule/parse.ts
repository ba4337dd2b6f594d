/**
 * `parseRule`: a phase's rule string → a typed, defaulted `Rule`, plus every problem found. Flowlord stopped
 * at the first bad param (or silently ignored unknown ones); here each param is read on its own, a bad one
 * keeps its default and is reported, so one look at a workflow shows everything that needs fixing.
 */

import { isTimeZone, parseCronSpec } from "./cron.ts";
import { durationExamples, formatDuration, parseDuration } from "./duration.ts";
import { compileGlob, namesStore } from "./glob.ts";
import {
  readBackoff,
  readCatchup,
  readCatchupMax,
  readMeta,
  readNoAlert,
  readRequire,
  readStep,
} from "./params.ts";
import { groupEntries, parseQuery } from "./query.ts";
import { nearest } from "./suggest.ts";
import type { ParsedRule, Rule, RuleProblem } from "./types.ts";

/** Every key a rule may hold, most used first (`nearest` prefers earlier keys on a tie). */
export const ruleKeys = [
  "cron",
  "offset",
  "job",
  "files",
  "require",
  "retry_delay",
  "backoff",
  "retry_max_delay",
  "no_alert",
  "for",
  "by",
  "meta",
  "meta-file",
  "tz",
  "catchup",
  "catchup_window",
  "catchup_max",
  "count",
] as const;
export type RuleKey = (typeof ruleKeys)[number];

/** The rule an empty rule string means; also what an unparseable rule falls back to. */
export function defaultRule(text = ""): Rule {
  return {
    text,
    params: new Map(),
    tz: "UTC",
    offsetMs: 0,
    require: [],
    retryDelayMs: 1000,
    retryDelaySet: false,
    backoff: 2,
    retryMaxDelayMs: 3_600_000,
    noAlert: false,
    by: "day",
    catchup: "latest",
    catchupWindowMs: 3_600_000,
    catchupMax: 100,
  };
}

type Draft = { -readonly [K in keyof Rule]: Rule[K] };
type Report = (severity: RuleProblem["severity"], message: string) => void;
/** Reads one param's (first) value into the draft, reporting instead of throwing. */
type Handler = (value: string, rule: Draft, report: Report) => void;

/** A duration param; `check` returns a complaint about a well-formed but unusable value. */
function duration(
  key: RuleKey,
  assign: (rule: Draft, ms: number) => void,
  check?: (ms: number) => string | undefined,
): Handler {
  return (value, rule, report) => {
    const ms = parseDuration(value);
    const complaint = ms === null ? undefined : check?.(ms);
    if (ms === null) report("error", `invalid duration "${value}"; write ${durationExamples}`);
    else if (complaint !== undefined) report("error", `${key} ${complaint}, not ${formatDuration(ms)}`);
    else assign(rule, ms);
  };
}

const positive = (ms: number) => (ms > 0 ? undefined : "must be more than 0s");

/** Every key but `require`, which reads all its values at once. */
const handlers: Record<Exclude<RuleKey, "require">, Handler> = {
  cron: (value, rule, report) => {
    const cron = parseCronSpec(value);
    if ("error" in cron) report("error", `invalid cron "${value}": ${cron.error}`);
    else rule.cron = cron.spec;
  },
  offset: duration("offset", (rule, ms) => {
    rule.offsetMs = ms;
  }),
  job: (value, rule, report) => {
    if (/\s/.test(value)) report("error", `job "${value}" must not contain whitespace`);
    else rule.job = value;
  },
  files: (value, rule, report) => {
    const glob = compileGlob(value);
    if ("error" in glob) {
      report("error", `invalid glob "${value}": ${glob.error}`);
      return;
    }
    rule.files = value;
    // Files arrive with absolute paths or URLs (a relative or climbing one is refused), so such a glob never matches.
    if (!value.startsWith("/") && !namesStore(value))
      report(
        "warning",
        `files=${value} is relative, and file paths are absolute (/data/in/*.csv) or name their store (gs://bucket/*.csv): it matches no file`,
      );
  },
  retry_delay: duration(
    "retry_delay",
    (rule, ms) => {
      rule.retryDelayMs = ms;
      rule.retryDelaySet = true;
    },
    positive,
  ),
  backoff: (value, rule, report) => {
    const backoff = readBackoff(value);
    if ("error" in backoff) report("error", backoff.error);
    else rule.backoff = backoff.value;
  },
  retry_max_delay: duration(
    "retry_max_delay",
    (rule, ms) => {
      rule.retryMaxDelayMs = ms;
    },
    positive,
  ),
  no_alert: (value, rule) => {
    rule.noAlert = readNoAlert(value);
  },
  for: duration("for", (rule, ms) => {
    rule.forMs = ms;
  }),
  by: (value, rule, report) => {
    const step = readStep(value);
    if ("error" in step) report("warning", step.error);
    else rule.by = step.value;
  },
  meta: (value, rule, report) => {
    const meta = readMeta(value);
    if ("error" in meta) report("error", meta.error);
    else rule.metaRows = meta.value;
  },
  "meta-file": (value, rule) => {
    rule.metaFile = value;
  },
  tz: (value, rule, report) => {
    if (isTimeZone(value)) rule.tz = value;
    else report("error", `unknown time zone "${value}"; use an IANA name such as America/New_York`);
  },
  catchup: (value, rule, report) => {
    const catchup = readCatchup(value);
    if ("error" in catchup) report("error", catchup.error);
    else rule.catchup = catchup.value;
  },
  catchup_window: duration(
    "catchup_window",
    (rule, ms) => {
      rule.catchupWindowMs = ms;
    },
    (ms) => (ms >= 0 ? undefined : "must be 0s or more"),
  ),
  catchup_max: (value, rule, report) => {
    const max = readCatchupMax(value);
    if ("error" in max) report("error", max.error);
    else rule.catchupMax = max.value;
  },
  count: (_value, _rule, report) => {
    report("warning", "count is not used");
  },
};

function isRuleKey(key: string): key is RuleKey {
  return (ruleKeys as readonly string[]).includes(key);
}

/** The warning for a key flowlord would have silently ignored, with the likeliest intended key. */
export function unknownKeyMessage(key: string): string {
  const message = `unknown rule key "${key}"`;
  // flowlord's README writes `require:{meta:file}`; the whole text then arrives as one key.
  const colon = key.indexOf(":");
  const before = key.slice(0, colon);
  if (colon > 0 && isRuleKey(before)) return `${message}; did you mean "${before}=${key.slice(colon + 1)}"?`;
  const guess = nearest(key, ruleKeys);
  if (guess === undefined) return message;
  const caseOnly = guess.toLowerCase() === key.toLowerCase() ? " (rule keys are case-sensitive)" : "";
  return `${message}; did you mean "${guess}"?${caseOnly}`;
}

function readRequireParam(values: readonly string[], rule: Draft, report: Report): void {
  const requirement = readRequire(values);
  rule.require = requirement.keys;
  for (const part of requirement.ignored) {
    const hint = /^\w+$/.test(part) ? `require={meta:${part}}` : "require={meta:key}";
    report("warning", `require value "${part}" names no {meta:key} and is ignored; write ${hint}`);
  }
}

/** Reads one known param. Empty values (other than `no_alert`'s) are ignored, as flowlord ignored them. */
function readParam(key: RuleKey, values: readonly string[], rule: Draft, report: Report): void {
  if (key === "require") {
    readRequireParam(values, rule, report);
    return;
  }
  const [value = "", ...repeats] = values;
  if (repeats.length > 0) report("warning", `${key} is given ${values.length} times; using the first`);
  if (value === "" && key !== "no_alert") report("warning", `${key} is empty and is ignored`);
  else handlers[key](value, rule, report);
}

/**
 * Parses a rule string (a URL query, as flowlord read it). Never throws: the rule returned is always usable,
 * with defaults wherever a param was missing or wrong, and `problems` lists every error and warning.
 */
export function parseRule(text: string): ParsedRule {
  const query = parseQuery(text);
  if ("error" in query) {
    const problem: RuleProblem = {
      severity: "error",
      key: "rule",
      message: `invalid rule format: ${query.error}`,
    };
    return { rule: defaultRule(text), problems: [problem] };
  }
  const params = groupEntries(query.entries);
  const rule: Draft = { ...defaultRule(text), params };
  const problems: RuleProblem[] = [];
  for (const [key, values] of params) {
    if (!isRuleKey(key)) {
      problems.push({ severity: "warning", key: `rule.${key}`, message: unknownKeyMessage(key) });
      continue;
    }
    const report: Report = (severity, message) => problems.push({ severity, key: `rule.${key}`, message });
    readParam(key, values, rule, report);
  }
  if (params.has("meta") && params.has("meta-file")) {
    const message = "meta and meta-file can not be used at the same time";
    problems.push({ severity: "error", key: "rule.meta-file", message });
    delete rule.metaFile;
  }
  return { rule, problems };
}
