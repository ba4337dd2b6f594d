/**
 * Scrubbing secrets from log output: every known secret value, and the password of any `scheme://user:pass@`
 * URL, becomes "***" wherever it appears (a message, an error's message or stack, a nested field). Pino's
 * `redact` hides fields by name; this hides values by content, so a secret echoed inside some text is caught too.
 */

export const hidden = "***";

/** `scheme://user:password@`: the password is what is hidden; a lone user (`git@`) is left alone. */
const urlPassword = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi;
const hasUrlPassword = new RegExp(urlPassword.source, "i");

export interface Scrubber {
  /** The text with every secret hidden. */
  text(text: string): string;
  /** A copy of a JSON value with every string in it scrubbed. */
  value(value: unknown): unknown;
  /** True when a JSON line may hold a secret; a cheap test so that clean lines pass through untouched. */
  mayHold(line: string): boolean;
}

export function createScrubber(secrets: readonly string[]): Scrubber {
  // A blank value (a token set to " ") hides nothing and would turn every space of every line into "***".
  // Longest first, so that a secret containing a shorter one is hidden whole.
  const values = [...new Set(secrets.filter((s) => s.trim() !== ""))].sort((a, b) => b.length - a.length);
  // How each secret looks inside a JSON string, where quotes, backslashes and control characters are escaped.
  const inJson = values.map((s) => JSON.stringify(s).slice(1, -1));

  const text = (input: string): string => {
    let output = input;
    for (const secret of values) output = output.replaceAll(secret, hidden);
    return output.replace(urlPassword, `$1:${hidden}@`);
  };

  const value = (input: unknown): unknown => {
    if (typeof input === "string") return text(input);
    if (Array.isArray(input)) return input.map(value);
    if (typeof input === "object" && input !== null) {
      return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, value(v)]));
    }
    return input;
  };

  const mayHold = (line: string): boolean => {
    return (
      inJson.some((s) => line.includes(s)) ||
      values.some((s) => line.includes(s)) ||
      hasUrlPassword.test(line)
    );
  };

  return { text, value, mayHold };
}
