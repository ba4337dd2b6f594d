/**
 * The log module: one pino logger for the service, with secrets kept out of every line, writing pino's JSON or
 * a one-line-per-event pretty format for people. It reads no environment; the caller passes the level, format
 * and secrets (from the config).
 */

export type { Logger, LoggerOptions } from "./logger.ts";
export { createLogger } from "./logger.ts";
export { formatPretty } from "./pretty.ts";
export { redactFields } from "./redact.ts";
export type { Scrubber } from "./scrub.ts";
export { createScrubber } from "./scrub.ts";
