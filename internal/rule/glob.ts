/**
 * The `files=` glob: Go's `filepath.Match` language, matched against the WHOLE path including any scheme
 * (in `gs://bucket/dir/*.txt` the `*` matches only names inside `dir`), plus `**` as a whole segment for
 * "any depth", which flowlord lacked.
 *
 * A pattern is compiled once to a single RegExp. Stars are made atomic (a lookahead plus a back-reference,
 * JavaScript's stand-in for an atomic group), so a pattern like `*a*a*a*b` cannot backtrack exponentially on
 * a long name; see `segmentSource`. `root` is the fixed directory in front of the first wildcard, the place a
 * file watcher has to watch.
 */

/** One lexical element of a pattern. Characters are whole code points, as Go matches runes. */
type Token =
  | { readonly kind: "char"; readonly char: string }
  | { readonly kind: "any" }
  | { readonly kind: "star" }
  | {
      readonly kind: "class";
      readonly negated: boolean;
      readonly ranges: readonly (readonly [number, number])[];
    }
  | { readonly kind: "separator" };

type Segment = readonly Token[];

export interface Glob {
  /** The pattern as written. */
  readonly pattern: string;
  /** True when the whole of `path` matches the pattern. */
  match(path: string): boolean;
  /** The directory before the first wildcard segment: `/data/in/x*.csv` → `/data/in`; `*.txt` → `.`. */
  readonly root: string;
}

export type GlobResult = { readonly glob: Glob } | { readonly error: string };

/** Thrown only inside this file, caught by `compileGlob`: the message names the position (1-based). */
class PatternError extends Error {
  override readonly name = "PatternError";
}

/** Reads one possibly escaped class member at `at`; Go requires `-` and `]` to be escaped there. */
function classMember(pattern: string, at: number, open: number): { code: number; next: number } {
  let i = at;
  const char = pattern.codePointAt(i);
  if (char === undefined) throw new PatternError(`unclosed "[" at position ${open + 1}`);
  if (char === 0x2d || char === 0x5d) {
    throw new PatternError(
      `"${String.fromCodePoint(char)}" at position ${i + 1} must be escaped inside [...]`,
    );
  }
  if (char === 0x5c) {
    i += 1;
    const escaped = pattern.codePointAt(i);
    if (escaped === undefined) throw new PatternError(`unclosed "[" at position ${open + 1}`);
    return { code: escaped, next: i + String.fromCodePoint(escaped).length };
  }
  return { code: char, next: i + String.fromCodePoint(char).length };
}

/** Reads a `[...]` class whose `[` is at `open`. `^` negates, as in Go; `!` is accepted too, as in shells. */
function readClass(pattern: string, open: number): { token: Token; next: number } {
  let i = open + 1;
  const negated = pattern[i] === "^" || pattern[i] === "!";
  if (negated) i += 1;
  const ranges: (readonly [number, number])[] = [];
  for (;;) {
    if (i >= pattern.length) throw new PatternError(`unclosed "[" at position ${open + 1}`);
    if (pattern[i] === "]" && ranges.length > 0)
      return { token: { kind: "class", negated, ranges }, next: i + 1 };
    const low = classMember(pattern, i, open);
    let high = low;
    if (pattern[low.next] === "-") high = classMember(pattern, low.next + 1, open);
    // A reversed range (`[z-a]`) is legal in Go and matches nothing; it is kept and skipped when emitted.
    ranges.push([low.code, high.code]);
    i = high.next;
  }
}

/** Splits a pattern into tokens; throws PatternError for a malformed one. */
function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const char = String.fromCodePoint(pattern.codePointAt(i) ?? 0);
    if (char === "[") {
      const { token, next } = readClass(pattern, i);
      tokens.push(token);
      i = next;
      continue;
    }
    if (char === "\\") {
      const escaped = pattern.codePointAt(i + 1);
      if (escaped === undefined) throw new PatternError(`"\\" at position ${i + 1} escapes nothing`);
      const literal = String.fromCodePoint(escaped);
      tokens.push(literal === "/" ? { kind: "separator" } : { kind: "char", char: literal });
      i += 1 + literal.length;
      continue;
    }
    if (char === "*") tokens.push({ kind: "star" });
    else if (char === "?") tokens.push({ kind: "any" });
    else if (char === "/") tokens.push({ kind: "separator" });
    else tokens.push({ kind: "char", char });
    i += char.length;
  }
  return tokens;
}

function splitSegments(tokens: readonly Token[]): Segment[] {
  const segments: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === "separator") segments.push([]);
    else segments.at(-1)?.push(token);
  }
  return segments;
}

const isGlobstar = (segment: Segment): boolean =>
  segment.length === 2 && segment.every((token) => token.kind === "star");

const hasWildcard = (segment: Segment): boolean => segment.some((token) => token.kind !== "char");

/** Every character outside [A-Za-z0-9] is written as `\u{…}`, which needs no per-character escaping rules. */
function literal(char: string): string {
  return /^[A-Za-z0-9]$/.test(char) ? char : `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`;
}

/** A single token that is not a star or separator; none of them ever matches `/`. */
function tokenSource(token: Token): string {
  switch (token.kind) {
    case "char":
      return literal(token.char);
    case "any":
      return "[^/]";
    case "class": {
      const members = token.ranges
        .filter(([low, high]) => low <= high)
        .map(([low, high]) => `\\u{${low.toString(16)}}-\\u{${high.toString(16)}}`)
        .join("");
      return `(?!/)[${token.negated ? "^" : ""}${members}]`;
    }
    default:
      return "";
  }
}

/** Hands out unique names for the capture groups the atomic steps need. */
type NameSource = () => string;

/**
 * One path segment. Between stars every chunk has a fixed length, so taking the leftmost place a middle
 * chunk fits is always safe (whatever a later place could match, the following star absorbs too). That
 * choice is made atomic with `(?=(?<g>[^/]*?chunk))\k<g>`, which leaves only the last star to backtrack:
 * matching a segment costs about its length times the pattern's, never exponential.
 */
function segmentSource(segment: Segment, nextName: NameSource): string {
  const chunks: Token[][] = [[]];
  for (const token of segment) {
    if (token.kind === "star") chunks.push([]);
    else chunks.at(-1)?.push(token);
  }
  const source = (chunk: readonly Token[]): string => chunk.map(tokenSource).join("");
  const [first = [], ...rest] = chunks;
  const last = rest.pop();
  if (last === undefined) return source(first);
  let out = source(first);
  for (const chunk of rest) {
    if (chunk.length === 0) continue; // `**` inside a segment is just `*`.
    const name = nextName();
    out += `(?=(?<${name}>[^/]*?${source(chunk)}))\\k<${name}>`;
  }
  return `${out}[^/]*${source(last)}`;
}

/**
 * The whole pattern. A `**` segment followed by more segments matches zero or more whole segments; a trailing
 * `**` matches anything below. The segments between two `**` are placed at their leftmost fit, atomically,
 * for the same reason as chunks between stars.
 */
function patternSource(segments: readonly Segment[]): string {
  const nextName: NameSource = (() => {
    let count = 0;
    return () => `g${++count}`;
  })();
  let out = "";
  let i = 0;
  while (i < segments.length) {
    const segment = segments[i] ?? [];
    if (!isGlobstar(segment)) {
      out += segmentSource(segment, nextName) + (i < segments.length - 1 ? "/" : "");
      i += 1;
      continue;
    }
    if (i === segments.length - 1) return `${out}.*`;
    let end = i + 1;
    while (end < segments.length && !isGlobstar(segments[end] ?? [])) end += 1;
    const block = segments
      .slice(i + 1, end)
      .map((part) => segmentSource(part, nextName))
      .join("/");
    if (end === segments.length) return `${out}(?:[^/]*/)*${block}`;
    const name = nextName();
    out += `(?=(?<${name}>(?:[^/]*/)*?${block}/))\\k<${name}>`;
    i = end;
  }
  return out;
}

/** Two `**` segments in a row mean the same as one; merging them also keeps the regex free of ambiguity. */
function mergeGlobstars(segments: readonly Segment[]): Segment[] {
  return segments.filter(
    (segment, i) => !(isGlobstar(segment) && i > 0 && isGlobstar(segments[i - 1] ?? [])),
  );
}

/** The literal directory in front of the first wildcard segment (with no wildcard, the file's folder). */
function rootOf(segments: readonly Segment[]): string {
  const firstWild = segments.findIndex(hasWildcard);
  const fixed = segments.slice(0, firstWild < 0 ? segments.length - 1 : firstWild);
  if (fixed.length === 0) return ".";
  const root = fixed.map((segment) =>
    segment.map((token) => (token.kind === "char" ? token.char : "")).join(""),
  );
  const text = root.join("/");
  if (text === "") return "/";
  // `gs://*/x` stops inside the scheme's `//`; the watcher needs `gs://`, not `gs:/`.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/$/.test(text)) return `${text}/`;
  return text.replace(/\/+$/, "") || "/";
}

/**
 * Compiles a `files=` glob. `*` matches any run of characters other than `/`, `?` one such character,
 * `[a-z]`/`[^a-z]` (or `[!a-z]`) one character of a class (never `/`), `\x` the character x, and a `**`
 * segment any number of whole segments. A malformed pattern gives an error naming the position.
 */
/** True for a path or pattern that names its store (`gs://`, `s3://`, `file://`, any `xyz://`). */
export function namesStore(path: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(path);
}

export function compileGlob(pattern: string): GlobResult {
  let segments: Segment[];
  try {
    segments = mergeGlobstars(splitSegments(tokenize(pattern)));
  } catch (error) {
    if (error instanceof PatternError) return { error: error.message };
    throw error;
  }
  const regex = new RegExp(`^${patternSource(segments)}$`, "u");
  const glob: Glob = { pattern, root: rootOf(segments), match: (path) => regex.test(path) };
  return { glob };
}
