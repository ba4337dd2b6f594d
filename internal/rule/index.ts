/**
 * The rule module: a phase's flowlord rule string → a typed `Rule`, plus the pieces other modules reuse (Go
 * durations, cron spec validation, the `files=` glob, the query-string reader and the key suggester).
 * Pure: no I/O, no environment, no clock. Import from here, not from the files behind it.
 */

export type { CronResult } from "./cron.ts";
export { isTimeZone, parseCronSpec } from "./cron.ts";
export { formatDuration, parseDuration } from "./duration.ts";
export type { Glob, GlobResult } from "./glob.ts";
export { compileGlob, namesStore } from "./glob.ts";
export type { RuleKey } from "./parse.ts";
export { defaultRule, parseRule, ruleKeys } from "./parse.ts";
export type { QueryEntry, QueryResult } from "./query.ts";
export { parseQuery } from "./query.ts";
export { editDistance, nearest } from "./suggest.ts";
export type { CronSpec, MetaRow, ParsedRule, Rule, RuleProblem } from "./types.ts";
export { Catchup, Step } from "./types.ts";
