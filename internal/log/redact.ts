/**
 * Fields hidden by name wherever they sit in a log line's fields, up to three tables deep: `pass`, `token`,
 * `secret_key`, `authorization` ... and the Slack webhook URL (`slack.url`). Values that are secret by content, not
 * by name, are the scrubber's job (`scrub.ts`).
 *
 * One walk over the fields of each line, which copies only the tables on the way to a hidden field. pino's own
 * `redact` (with a path per name and depth) made about 200 KB of garbage for every line, parsing its paths again
 * each time: a burst of file arrivals, logged at info, made the heap grow by tens of MiB.
 */
import { pino } from "pino";
import { hidden } from "./scrub.ts";

const secretNames = new Set([
  "pass",
  "password",
  "token",
  "secret",
  "secret_key",
  "secretKey",
  "read_token",
  "readToken",
  "admin_token",
  "adminToken",
  "access_token",
  "accessToken",
  "api_key",
  "apiKey",
  "authorization",
  "Authorization",
  "cookie",
]);

/** Tables below the fields that are still looked into (`*.*.*.pass` is hidden, `*.*.*.*.pass` is not). */
const maxDepth = 3;

/** Whether a field is hidden: a secret name, or the `url` of a `slack` table. */
const isSecret = (key: string, parentKey: string): boolean =>
  secretNames.has(key) || (key === "url" && parentKey === "slack");

/** A table the walk looks into: what JSON.stringify writes field by field (not a Date, a Buffer, a Map ...). */
function isTable(value: object): boolean {
  if (Array.isArray(value) || value instanceof Error) return true;
  if (ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set) return false;
  return typeof (value as { toJSON?: unknown }).toJSON !== "function";
}

/** `value` with its secret fields hidden: the same object when it has none, else a copy of the tables above them. */
function redactValue(value: unknown, key: string, depth: number): unknown {
  if (typeof value !== "object" || value === null || depth > maxDepth || !isTable(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const redacted = redactValue(item, String(i), depth + 1);
      if (redacted === item) continue;
      copy ??= value.slice();
      copy[i] = redacted;
    }
    return copy ?? value;
  }
  const table = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const name of Object.keys(table)) {
    const field = table[name];
    const redacted = isSecret(name, key) ? hidden : redactValue(field, name, depth + 1);
    if (redacted === field) continue;
    // An error is copied as pino writes it (type, message, stack and its own fields), so the copy reads the same.
    copy ??= value instanceof Error ? { ...pino.stdSerializers.err(value) } : { ...table };
    copy[name] = redacted;
  }
  return copy ?? value;
}

/** A log line's fields (or a child logger's bindings) with fields named like secrets hidden. */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  return redactValue(fields, "", 0) as Record<string, unknown>;
}
