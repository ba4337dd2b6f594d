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
  const escaped = escapeSequence.test(text);
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? "" : pair.slice(eq + 1);
    const key = escaped ? decodePart(rawKey) : rawKey;
    if (key === "" || meta.has(key)) continue;
    meta.set(key, escaped ? decodePart(rawValue) : rawValue);
  }
  return meta;
}

/** Writes meta with keys sorted, as flowlord (`url.Values.Encode`) does. Empty meta gives "". */
export function encodeMeta(meta: ReadonlyMap<string, string>): string {
  const keys = [...meta.keys()].sort();
  return keys.map((k) => `${encodePart(k)}=${encodePart(meta.get(k) ?? "")}`).join("&");
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

function encodePart(s: string): string {
  return s.replace(unsafe, (c) => encodeURIComponent(c));
}
