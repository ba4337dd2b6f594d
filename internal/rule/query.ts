/**
 * Reads a query string the way Go's `url.ParseQuery` does, because flowlord rules (and task meta) are written
 * for it: `&` separates parameters, the first `=` splits key from value, `%XX` escapes and `+` (a space) are
 * decoded in both. Unlike the WHATWG `URLSearchParams`, a malformed escape or a `;` separator is an error
 * rather than passed through, so a broken rule is reported instead of half-read.
 */

/** One `key=value` pair, decoded, in the order written. A part without `=` has the value "". */
export type QueryEntry = readonly [key: string, value: string];

export type QueryResult = { readonly entries: readonly QueryEntry[] } | { readonly error: string };

const hexDigit = /^[0-9A-Fa-f]$/;
const utf8 = new TextEncoder();
// Not fatal: Go keeps undecodable bytes as they are; a JS string cannot, so they become U+FFFD.
const fromUtf8 = new TextDecoder("utf-8");

/**
 * Decodes one key or value. `at` is the offset of `text` in the whole query, so the error can point at the
 * escape. Returns the decoded text, or an error message.
 */
export function unescapeQueryComponent(text: string, at = 0): { value: string } | { error: string } {
  if (!text.includes("%")) return { value: text.replaceAll("+", " ") };
  const bytes: number[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] ?? "";
    if (char === "%") {
      const hex = text.slice(i + 1, i + 3);
      if (hex.length < 2 || !hexDigit.test(hex[0] ?? "") || !hexDigit.test(hex[1] ?? "")) {
        return { error: `invalid escape "${text.slice(i, i + 3)}" at position ${at + i + 1}` };
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 3;
      continue;
    }
    // Copy a whole run of plain text at once; code points outside the BMP stay intact this way.
    let end = text.indexOf("%", i);
    if (end < 0) end = text.length;
    for (const byte of utf8.encode(text.slice(i, end).replaceAll("+", " "))) bytes.push(byte);
    i = end;
  }
  return { value: fromUtf8.decode(new Uint8Array(bytes)) };
}

/**
 * Splits and decodes a query string. The first problem found ends the parse: like Go, a query with one bad
 * escape is unusable as a whole, since the positions of the other parameters can no longer be trusted.
 */
export function parseQuery(query: string): QueryResult {
  const entries: QueryEntry[] = [];
  let start = 0;
  for (const part of query.split("&")) {
    const partStart = start;
    start += part.length + 1;
    const semicolon = part.indexOf(";");
    if (semicolon >= 0) {
      // Go dropped `;` as a separator in 1.17 and now rejects it; an escaped `%3B` is still fine.
      return { error: `";" at position ${partStart + semicolon + 1} is not a separator (use "&", or "%3B")` };
    }
    if (part === "") continue;
    const equals = part.indexOf("=");
    const rawKey = equals < 0 ? part : part.slice(0, equals);
    const rawValue = equals < 0 ? "" : part.slice(equals + 1);
    const key = unescapeQueryComponent(rawKey, partStart);
    if ("error" in key) return key;
    const value = unescapeQueryComponent(rawValue, partStart + rawKey.length + 1);
    if ("error" in value) return value;
    entries.push([key.value, value.value]);
  }
  return { entries };
}

/** Groups entries by key, keeping the order keys first appear and every value of a repeated key. */
export function groupEntries(entries: readonly QueryEntry[]): Map<string, string[]> {
  const params = new Map<string, string[]>();
  for (const [key, value] of entries) {
    const values = params.get(key);
    if (values === undefined) params.set(key, [value]);
    else values.push(value);
  }
  return params;
}
