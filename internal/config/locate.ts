/**
 * Where a key is written in the TOML text, so a problem can name its line and column. The TOML parser gives
 * values, not positions, so this scans the lines for `[table]` headers and `key =` assignments. It is a
 * locator for messages only: a key it cannot place (inside an inline table, say) falls back to the line of its
 * table, or to no position at all.
 */

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** `a."b.c" . d` → ["a", "b.c", "d"]. */
function splitDotted(text: string): string[] {
  const parts: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^.\s"']+))\s*(?:\.|$)/gy;
  for (let match = pattern.exec(text); match !== null && match[0] !== ""; match = pattern.exec(text)) {
    parts.push(match[1] ?? match[2] ?? match[3] ?? "");
  }
  return parts;
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length < path.length && prefix.every((part, i) => part === path[i]);
}

/** The 1-based position of `segments` (as the parser returned them) in `text`, if it can be found. */
export function locateKey(text: string, segments: readonly string[]): Position | undefined {
  const lines = text.split(/\r?\n/);
  let table: string[] = [];
  let fallback: Position | undefined;
  for (const [index, line] of lines.entries()) {
    const header = /^(\s*)\[\[?([^\]]*)\]/.exec(line);
    if (header !== null) {
      table = splitDotted(header[2] ?? "");
      const here = { line: index + 1, column: (header[1] ?? "").length + 1 };
      if (samePath(table, segments) || (fallback === undefined && isPrefix(table, segments))) fallback = here;
      continue;
    }
    const assignment = /^(\s*)([^=#\s[][^=]*?)\s*=/.exec(line);
    if (assignment === null) continue;
    const path = [...table, ...splitDotted(assignment[2] ?? "")];
    const here = { line: index + 1, column: (assignment[1] ?? "").length + 1 };
    if (samePath(path, segments)) return here;
    if (isPrefix(path, segments)) fallback = here;
  }
  return fallback;
}
