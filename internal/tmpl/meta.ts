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
  return [...compiled(template).keys];
}

/**
 * Replaces every `{meta:KEY}` with `lookup(KEY)`; a key the lookup does not know becomes "" (as in flowlord, so a
 * caller that must reject missing keys checks `keys` against its source). `keys` is `metaKeys(template)`.
 * Values are inserted literally: a `$` in a value (`pass=r$kE43`) is not a replacement pattern.
 */
export function fillMeta(
  template: string,
  lookup: (key: string) => string | undefined,
): { text: string; keys: readonly string[] } {
  const { literals, names, keys } = compiled(template);
  let text = literals[0] ?? "";
  for (let i = 0; i < names.length; i++) text += (lookup(names[i] ?? "") ?? "") + (literals[i + 1] ?? "");
  return { text, keys };
}

/** A template cut at its placeholders: `literals[i]`, then `names[i]`'s value, ..., then the last literal. */
interface Compiled {
  readonly literals: readonly string[];
  readonly names: readonly string[];
  /** `metaKeys(template)`: shared by every fill, never changed. */
  readonly keys: readonly string[];
}

/**
 * Templates already cut, by their text: a phase fills the same template for every task it emits, and cutting it
 * (a regex pass and a callback per placeholder) cost more than the fill. Templates come from workflow files, so the
 * set is small; it is cleared when it grows past `maxCompiled` (rendered time tokens make texts that vary).
 */
const cache = new Map<string, Compiled>();
const maxCompiled = 1024;

function compiled(template: string): Compiled {
  const hit = cache.get(template);
  if (hit) return hit;
  const literals: string[] = [];
  const names: string[] = [];
  let at = 0;
  for (const m of template.matchAll(placeholder)) {
    literals.push(template.slice(at, m.index));
    names.push(m[1] ?? "");
    at = m.index + m[0].length;
  }
  literals.push(template.slice(at));
  const made: Compiled = { literals, names, keys: [...new Set(names)] };
  if (cache.size >= maxCompiled) cache.clear();
  cache.set(template, made);
  return made;
}
