/**
 * The `pretty` log format for people at a terminal (`taskmaster dev`): one line per event,
 * `HH:MM:SS.mmm LEVEL message key=value ...`, in local time. It formats pino's JSON records, so pino stays the
 * only logger; written here rather than using pino-pretty to keep the output small and the dependencies few.
 */

const levelNames = new Map([
  [10, "TRACE"],
  [20, "DEBUG"],
  [30, "INFO "],
  [40, "WARN "],
  [50, "ERROR"],
  [60, "FATAL"],
]);

/** Fields every record has that the line shows elsewhere, or not at all. */
const shownElsewhere = new Set(["level", "time", "msg", "pid", "hostname"]);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function clock(epochMs: number): string {
  const t = new Date(epochMs);
  return `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`;
}

/** Newlines and tabs written as escapes, so an event stays on one line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]/g, (c) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t"));
}

/**
 * Every other control character: the C0 and C1 sets, DEL, and the line and paragraph separators. Printed as they
 * are, a message or a field (a task's info, a rejected message's data: text from outside) could colour, move the
 * cursor, clear the screen or start a new line in the terminal of the person reading.
 */
const controls = /[\p{Cc}\u2028\u2029]/gu;

/** The control characters left in a line written as `\u001b` and the like. */
function visible(line: string): string {
  return line.replace(controls, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`);
}

/** A serialized error as `Type: message (at place)`, with the first frame of the stack as the place. */
function describeError(err: Record<string, unknown>): string {
  const type = typeof err.type === "string" ? err.type : "Error";
  const message = typeof err.message === "string" ? err.message : "";
  const frame = typeof err.stack === "string" ? /\n\s+at (.*)/.exec(err.stack)?.[1] : undefined;
  const place = frame === undefined ? "" : ` (at ${frame.replace(/^.*\((.*)\)$/, "$1")})`;
  return `${type}: ${message}${place}`;
}

function isError(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && "message" in value && "stack" in value;
}

/** A value as it reads after `key=`: bare when it can be, quoted when it has spaces or quotes. */
function formatValue(value: unknown): string {
  if (isError(value)) return JSON.stringify(oneLine(describeError(value)));
  if (typeof value === "string") return /^[^\s"=\\]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

/** One pino record (parsed JSON) as a line, without the newline. */
export function formatPretty(record: Record<string, unknown>): string {
  const time = typeof record.time === "number" ? clock(record.time) : "--:--:--.---";
  const level = levelNames.get(Number(record.level)) ?? String(record.level).toUpperCase().padEnd(5);
  const message = typeof record.msg === "string" ? oneLine(record.msg) : "";
  const fields = Object.entries(record)
    .filter(([key]) => !shownElsewhere.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return visible([time, level, message, ...fields].filter((part) => part !== "").join(" "));
}
