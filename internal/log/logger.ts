/**
 * `createLogger`: pino, with secrets kept out of every line, in pino's JSON or a small pretty format. Secrets are
 * hidden twice over: `redactFields` blanks fields with secret names (`pass`, `token`, `slack.url` ...), and each
 * finished line is scrubbed of the given secret values and of URL passwords, which catches a secret inside a
 * message, an error's message or stack, or any nested string.
 */
import { pino } from "pino";
import { formatPretty } from "./pretty.ts";
import { redactFields } from "./redact.ts";
import { createScrubber, type Scrubber } from "./scrub.ts";

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** trace, debug, info, warn, error, fatal or silent. */
  readonly level: string;
  readonly format: "json" | "pretty";
  /** Values never to print (passwords, tokens, webhook URLs). */
  readonly secrets?: readonly string[];
  /** Where lines go; standard output by default. */
  readonly destination?: NodeJS.WritableStream;
}

/** Parses a line pino wrote; undefined if it is somehow not a JSON object. */
function parseRecord(line: string): Record<string, unknown> | undefined {
  try {
    const record: unknown = JSON.parse(line);
    return typeof record === "object" && record !== null && !Array.isArray(record)
      ? (record as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Turns one line pino wrote (JSON and a newline) into the line to print. */
function render(line: string, format: LoggerOptions["format"], scrub: Scrubber): string {
  // Most lines hold no secret: in JSON they go out exactly as pino wrote them.
  if (format === "json" && !scrub.mayHold(line)) return line;
  const record = parseRecord(line);
  if (record === undefined) return scrub.text(line);
  const clean = scrub.value(record) as Record<string, unknown>;
  return `${format === "json" ? JSON.stringify(clean) : formatPretty(clean)}\n`;
}

export function createLogger(options: LoggerOptions): Logger {
  const scrub = createScrubber(options.secrets ?? []);
  const out = options.destination ?? process.stdout;
  const stream = {
    write(line: string): void {
      out.write(render(line, options.format, scrub));
    },
  };
  const logger = pino(
    {
      level: options.level,
      formatters: { log: redactFields },
      // `error` is as common a field name for an Error as pino's own `err`; both are serialized with the stack.
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    stream,
  );
  // A child's bindings are written once, when it is made, and pino does not pass them through `formatters`: they
  // are redacted here. A child inherits this from its parent, so grandchildren are covered too.
  const child = logger.child;
  logger.child = function <L extends string = never>(
    this: Logger,
    bindings: pino.Bindings,
    childOptions?: pino.ChildLoggerOptions<L>,
  ) {
    return child.bind(this)<L>(redactFields(bindings), childOptions);
  };
  return logger;
}
