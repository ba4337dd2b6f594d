/**
 * `{meta:KEY}` placeholders: flowlord's `tmpl.Meta`, which fills a child's template from its parent's meta (or from
 * a meta-file row in a backload).
 *
 * Unlike the time tokens of `render.ts`, placeholders are filled in the whole string, after a `#` too: flowlord
 * does so, and a `#` there protects time tokens only.
 */

/**
 * KEY is `\w+` (letters, digits, `_`, ASCII only: no `u` flag), so `{meta:da ta}` is plain text.
 * A fresh RegExp per call is not needed: `replace` and `matchAll` reset a global pattern's `lastIndex`.
 */
const placeholder = /\{meta:(\w+)\}/g;

/** The keys the template asks for, in order of first appearance, each once. */
export function metaKeys(template: string): string[] {
  const keys = new Set<string>();
  for (const m of template.matchAll(placeholder)) {
    if (m[1] !== undefined) keys.add(m[1]);
  }
  return [...keys];
}

/**
 * Replaces every `{meta:KEY}` with `lookup(KEY)`; a key the lookup does not know becomes "" (as in flowlord, so a
 * caller that must reject missing keys checks `keys` against its source). `keys` is `metaKeys(template)`.
 * Values are inserted literally: a `$` in a value (`pass=r$kE43`) is not a replacement pattern.
 */
export function fillMeta(
  template: string,
  lookup: (key: string) => string | undefined,
): { text: string; keys: string[] } {
  const keys = new Set<string>();
  const text = template.replace(placeholder, (_match, key: string) => {
    keys.add(key);
    return lookup(key) ?? "";
  });
  return { text, keys: [...keys] };
}
