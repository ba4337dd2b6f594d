/**
 * Reading and writing the task JSON.
 *
 * Input comes from workers we do not control, so parsing is strict: a size limit, an object at the top, every field
 * a string, times in RFC 3339, a known result, and no keys that could reach an object prototype. Errors name the
 * field. Output has flowlord's field order and omits empty optional fields (Go's `omitempty`).
 */
import { TaskParseError } from "../errors/index.ts";
import { Result, type Task } from "./types.ts";

/** The largest task message accepted, in bytes (flowlord had none; a task is normally well under 4 KiB). */
export const maxTaskBytes = 1024 * 1024;

const fields = ["type", "job", "info", "created", "id", "meta", "result", "msg", "started", "ended"] as const;
type Field = (typeof fields)[number];
const results: ReadonlySet<string> = new Set(Object.values(Result));
const forbiddenKeys = new Set(["__proto__", "constructor", "prototype"]);
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

// Decodes in place (no copy), faster than Buffer.from(bytes).toString(); bad UTF-8 becomes U+FFFD as in Go.
const utf8 = new TextDecoder();

export interface ParseOptions {
  /** Defaults to `maxTaskBytes`. */
  readonly maxBytes?: number;
}

/** Parses one task message. Throws `TaskParseError` saying which field is wrong and why. */
export function parseTask(input: string | Uint8Array, options: ParseOptions = {}): Task {
  const maxBytes = options.maxBytes ?? maxTaskBytes;
  const size = typeof input === "string" ? Buffer.byteLength(input) : input.byteLength;
  if (size > maxBytes)
    throw new TaskParseError("", `message is ${size} bytes, more than the limit of ${maxBytes}`);
  const text = typeof input === "string" ? input : utf8.decode(input);
  let value: unknown;
  try {
    // A reviver costs a call per value; only a message that mentions a forbidden key needs one.
    value = mentionsForbiddenKey(text)
      ? JSON.parse(text, (key, v: unknown) => {
          if (forbiddenKeys.has(key)) throw new TaskParseError(key, "key not allowed");
          return v;
        })
      : JSON.parse(text);
  } catch (err) {
    if (err instanceof TaskParseError) throw err;
    throw new TaskParseError("", `not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TaskParseError("", `expected a JSON object, got ${describe(value)}`);
  }
  return fromObject(value as Record<string, unknown>);
}

/** True when the text could hold a forbidden key, written plainly or with \u escapes. */
function mentionsForbiddenKey(text: string): boolean {
  return (
    text.includes("__proto__") ||
    text.includes("constructor") ||
    text.includes("prototype") ||
    text.includes("\\u")
  );
}

type Fields = { -readonly [K in keyof Task]: Task[K] };

/**
 * Each field read by name, in the order of `fields` (so the first wrong one is the one reported). Not a loop over the
 * names: V8 cannot specialise keyed reads and writes whose key changes (megamorphic lookups in the profiles).
 */
function fromObject(obj: Record<string, unknown>): Task {
  const type = text(obj.type, "type");
  const job = text(obj.job, "job");
  const info = text(obj.info, "info");
  const created = time(obj.created, "created");
  const id = text(obj.id, "id");
  const meta = text(obj.meta, "meta");
  const result = text(obj.result, "result");
  if (result !== undefined && !results.has(result)) {
    throw new TaskParseError("result", `must be one of complete, error, alert, warn, got "${clip(result)}"`);
  }
  const msg = text(obj.msg, "msg");
  const started = time(obj.started, "started");
  const ended = time(obj.ended, "ended");
  if (!type) throw new TaskParseError("type", "is required");
  const task: Fields = { type, info: info ?? "" };
  if (job) task.job = job;
  if (created) task.created = created;
  if (id) task.id = id;
  if (meta) task.meta = meta;
  if (result) task.result = result as Result;
  if (msg) task.msg = msg;
  if (started) task.started = started;
  if (ended) task.ended = ended;
  return task;
}

/** A string field's value; undefined when it is missing, null or empty. */
function text(v: unknown, field: Field): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new TaskParseError(field, `must be a string, got ${describe(v)}`);
  return v;
}

function time(v: unknown, field: Field): string | undefined {
  const t = text(v, field);
  if (t !== undefined && !isTime(t)) {
    throw new TaskParseError(
      field,
      `must be an RFC 3339 time such as 2026-01-02T15:04:05Z, got "${clip(t)}"`,
    );
  }
  return t;
}

/** The last time text found valid: tasks of a burst mostly share their `created` second, so most checks end here. */
let lastTime = "";

function isTime(v: string): boolean {
  if (v === lastTime) return true;
  const valid = rfc3339.test(v) && !Number.isNaN(Date.parse(v));
  if (valid) lastTime = v;
  return valid;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${clip(JSON.stringify(v))}`;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The task as pcelvng/task writes it: fields in order, empty optional fields left out, no trailing newline. */
export function taskJson(task: Task): string {
  // Written field by field in flowlord's order, each read by name (see `fromObject`): a third of the time of
  // JSON.stringify on an object literal whose empty fields are undefined (this runs for every task published).
  let json = `{"type":${quoted(task.type)}`;
  if (task.job) json += `,"job":${quoted(task.job)}`;
  json += `,"info":${quoted(task.info ?? "")}`;
  if (task.created) json += `,"created":${quoted(task.created)}`;
  if (task.id) json += `,"id":${quoted(task.id)}`;
  if (task.meta) json += `,"meta":${quoted(task.meta)}`;
  if (task.result) json += `,"result":${quoted(task.result)}`;
  if (task.msg) json += `,"msg":${quoted(task.msg)}`;
  if (task.started) json += `,"started":${quoted(task.started)}`;
  if (task.ended) json += `,"ended":${quoted(task.ended)}`;
  return `${json}}`;
}

// What JSON.stringify would escape in a string: quotes, backslashes, control characters and lone surrogates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be escaped
const needsEscape = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as a JSON string: as it is between quotes when nothing in it needs escaping. */
function quoted(s: string): string {
  return needsEscape.test(s) ? JSON.stringify(s) : `"${s}"`;
}
