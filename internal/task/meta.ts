/**
 * The task's `meta` field: a query string of key=value pairs.
 *
 * Flowlord writes two forms: escaped (`url.Values.Encode`, on retries and failed messages) and unescaped (the same,
 * then `QueryUnescape`d, on cron, batch, child and file tasks). Both must be read. We write one form that reads like
 * the unescaped one (`file=gs://b/x.txt`) but escapes the few characters that would break a query parser, so Go's
 * `url.ParseQuery` and our own parser both get the values back exactly.
 */

/** Meta as a map; a key repeated in the input keeps its first value, as Go's `url.Values.Get` does. */
export type Meta = Map<string, string>;

const escapeSequence = /%[0-9A-Fa-f]{2}/;

/**
 * Reads meta in either form. A string that holds a percent escape is taken as escaped (`+` is a space and
 * `%XX` decodes); otherwise it is taken as unescaped and every character is literal.
 */
export function parseMeta(text: string | undefined): Meta {
  const meta: Meta = new Map();
  if (!text) return meta;
  const escaped = text.includes("%") && escapeSequence.test(text);
  // Cut at each `&` by index, not with split: this runs for every done message, and the pairs' array is garbage.
  for (let start = 0; start <= text.length; ) {
    const amp = text.indexOf("&", start);
    const end = amp < 0 ? text.length : amp;
    if (end > start) {
      const at = text.indexOf("=", start);
      const eq = at < 0 || at > end ? end : at;
      const rawKey = text.slice(start, eq);
      const key = escaped ? decodePart(rawKey) : rawKey;
      if (key !== "" && !meta.has(key)) {
        const rawValue = eq < end ? text.slice(eq + 1, end) : "";
        meta.set(key, escaped ? decodePart(rawValue) : rawValue);
      }
    }
    start = end + 1;
  }
  return meta;
}

/** Writes meta with keys sorted, as flowlord (`url.Values.Encode`) does. Empty meta gives "". */
export function encodeMeta(meta: ReadonlyMap<string, string>): string {
  // A task's meta is mostly one to three keys: one needs no sorting, and no array of pairs is made for a join.
  if (meta.size === 1) for (const [k, v] of meta) return `${encodePart(k)}=${encodePart(v)}`;
  const keys = [...meta.keys()].sort();
  let text = "";
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] ?? "";
    text += `${i === 0 ? "" : "&"}${encodePart(k)}=${encodePart(meta.get(k) ?? "")}`;
  }
  return text;
}

/** A copy of `meta` with `changes` applied; a change to `undefined` removes the key. */
export function withMeta(
  meta: ReadonlyMap<string, string>,
  changes: Record<string, string | undefined>,
): Meta {
  const next: Meta = new Map(meta);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) next.delete(k);
    else next.set(k, v);
  }
  return next;
}

/** `+` as space and `%XX` decoded; a malformed escape is kept as written rather than failing the message. */
function decodePart(s: string): string {
  const spaced = s.replaceAll("+", " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
}

// Characters that would change how a query string splits or decodes, and control characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be escaped
const unsafe = /[%&=+#\s\u0000-\u001f\u007f]/g;
// The same class, to test without the global flag's state: most parts have none of them and are returned as they are.
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const hasUnsafe = /[%&=+#\s\u0000-\u001f\u007f]/;

function encodePart(s: string): string {
  return hasUnsafe.test(s) ? s.replace(unsafe, (c) => encodeURIComponent(c)) : s;
}
