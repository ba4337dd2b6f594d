/**
 * Go durations (`90s`, `1h30m`, `-4h`, `1.5ms`), the unit of every time span in a flowlord rule. Parsing
 * follows `time.ParseDuration` exactly, so every rule flowlord accepted still means the same span;
 * printing follows `Duration.String` without its zero trailing units (`1h`, not `1h0m0s`), for readable
 * messages and UI. Values are milliseconds as plain numbers (fractional below 1 ms), computed in whole
 * nanoseconds as Go does.
 */

const nanosecondsPer = new Map<string, bigint>([
  ["ns", 1n],
  ["us", 1_000n],
  ["µs", 1_000n], // U+00B5 micro sign
  ["μs", 1_000n], // U+03BC Greek small mu
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);

/** Go's Duration is an int64 of nanoseconds; anything beyond it is an overflow there, so an error here. */
const int64Limit = 1n << 63n;

/** What a valid duration looks like, for error messages. */
export const durationExamples = "a Go duration such as 90s, 1h30m or -4h";

/** Reads one `<decimal><unit>` component from the start of `text`, in nanoseconds. */
function readComponent(text: string): { ns: bigint; rest: string } | null {
  const number = /^(\d*)(?:\.(\d*))?/.exec(text);
  const whole = number?.[1] ?? "";
  const fraction = number?.[2] ?? "";
  // Go needs a digit on at least one side of the point: `.5s` and `5.s` are fine, `.s` is not.
  if (whole === "" && fraction === "") return null;
  const afterNumber = text.slice(number?.[0].length ?? 0);
  const unit = /^[^.\d]*/.exec(afterNumber)?.[0] ?? "";
  const scale = nanosecondsPer.get(unit);
  if (scale === undefined) return null;
  let ns = BigInt(whole === "" ? "0" : whole) * scale;
  if (fraction !== "") {
    // Like Go, the fraction is converted in floating point and truncated to a whole nanosecond; 15 digits
    // is all a double holds anyway.
    const digits = fraction.slice(0, 15);
    ns += BigInt(Math.trunc(Number(digits) * (Number(scale) / 10 ** digits.length)));
  }
  return { ns, rest: afterNumber.slice(unit.length) };
}

/**
 * Parses a Go duration into milliseconds, or null if it is not one. An optional sign, then one or more
 * `<decimal><unit>` with units ns, us (µs, μs), ms, s, m, h; a bare `0` is the only unitless value, so `5`,
 * `1d`, `h` and `""` are all invalid.
 */
export function parseDuration(text: string): number | null {
  let rest = text;
  const negative = rest.startsWith("-");
  if (negative || rest.startsWith("+")) rest = rest.slice(1);
  if (rest === "0") return 0;
  if (rest === "") return null;
  let total = 0n;
  while (rest !== "") {
    const component = readComponent(rest);
    if (component === null) return null;
    total += component.ns;
    // -2^63 ns is a valid int64, +2^63 is not.
    if (total > int64Limit || (total === int64Limit && !negative)) return null;
    rest = component.rest;
  }
  if (total === 0n) return 0;
  // Whole and fractional ms converted apart: a long span in nanoseconds exceeds 2^53, its ms do not.
  const ms = Number(total / 1_000_000n) + Number(total % 1_000_000n) / 1e6;
  return negative ? -ms : ms;
}

/** `whole.fraction` with the fraction's trailing zeros dropped, e.g. (1500, 1000) → "1.5". */
function decimal(ns: bigint, unit: bigint): string {
  const whole = ns / unit;
  const remainder = ns % unit;
  if (remainder === 0n) return whole.toString();
  const width = unit.toString().length - 1;
  const fraction = remainder.toString().padStart(width, "0").replace(/0+$/, "");
  return `${whole}.${fraction}`;
}

/** Below a second Go picks the largest unit that keeps the integer part non-zero. */
function formatSubSecond(ns: bigint): string {
  if (ns < 1_000n) return `${ns}ns`;
  if (ns < 1_000_000n) return `${decimal(ns, 1_000n)}µs`;
  return `${decimal(ns, 1_000_000n)}ms`;
}

/**
 * Prints milliseconds as a Go duration, rounded to the nanosecond: `1h`, `1h30m`, `1h0m5s`, `1.234s`,
 * `10.5ms`, `300µs`, `-4h`, `0s`. Only trailing zero units are dropped, so the output is still something
 * `time.ParseDuration` (and `parseDuration`) reads back. Non-finite input is printed as is (`NaN`), making a
 * bug upstream visible rather than hiding it as `0s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  // Whole milliseconds and the rest converted apart, so that long spans keep every nanosecond digit exact.
  const whole = Math.trunc(Math.abs(ms));
  const ns = BigInt(whole) * 1_000_000n + BigInt(Math.round((Math.abs(ms) - whole) * 1e6));
  if (ns === 0n) return "0s";
  const sign = ms < 0 ? "-" : "";
  if (ns < 1_000_000_000n) return sign + formatSubSecond(ns);
  const hours = ns / 3_600_000_000_000n;
  const minutes = (ns / 60_000_000_000n) % 60n;
  const secondsNs = ns % 60_000_000_000n;
  let text = hours > 0n ? `${hours}h` : "";
  if (secondsNs > 0n) text += `${minutes}m${decimal(secondsNs, 1_000_000_000n)}s`;
  else if (minutes > 0n) text += `${minutes}m`;
  // `61s` must print as `1m1s`, never `0m1s`: drop a leading zero minute.
  return sign + text.replace(/^0m/, "");
}
