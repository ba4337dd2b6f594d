/**
 * Which local directories the file watcher has to watch, from the `files=` patterns of every phase: the fixed
 * directory in front of each pattern's first wildcard, and how deep below it a matching file can be. Roots
 * inside another root are folded into the outer one, so no directory is watched twice (two watchers would
 * cost twice the inotify watches and send every event twice). Pure: no I/O.
 */
import { join, posix } from "node:path";
import { compileGlob } from "../rule/index.ts";

const slash = "/".charCodeAt(0);

/** A directory to watch; `depth` is how many path segments below `dir` a file can be (null: any depth). */
export interface LocalRoot {
  readonly dir: string;
  readonly depth: number | null;
}

/**
 * True for a pattern on the local file system: an absolute path. Patterns with a scheme (`s3://`, `gs://`,
 * `file://`, any `xyz://`) are for the bucket notifiers, and relative ones have no fixed place to watch.
 */
export function isLocalPattern(pattern: string): boolean {
  return pattern.startsWith("/");
}

/** The non-empty segments of a path: `/a//b/` → [a, b]. */
function segments(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

/** One pattern's root, or undefined when the pattern is not local or not a valid glob (validation reports that). */
function rootOf(pattern: string): LocalRoot | undefined {
  if (!isLocalPattern(pattern)) return undefined;
  const result = compileGlob(pattern);
  if ("error" in result) return undefined;
  const dir = posix.normalize(result.glob.root);
  const parts = segments(pattern);
  // A `**` segment matches any number of segments; `**` inside a segment is just `*` (see rule/glob.ts).
  if (parts.includes("**")) return { dir, depth: null };
  return { dir, depth: Math.max(1, parts.length - segments(result.glob.root).length) };
}

/** How many segments `inner` lies below `outer`, or undefined when it is not inside (or equal to) it. */
function below(outer: string, inner: string): number | undefined {
  if (outer === inner) return 0;
  const prefix = outer === "/" ? "/" : `${outer}/`;
  if (!inner.startsWith(prefix)) return undefined;
  return segments(inner).length - segments(outer).length;
}

/** The deeper of two depths, once `extra` segments are added to the inner one; unlimited wins. */
function deeper(outer: number | null, inner: number | null, extra: number): number | null {
  if (outer === null || inner === null) return null;
  return Math.max(outer, inner + extra);
}

/**
 * The roots to watch for `patterns`: local patterns only, each root once, a root inside another merged into
 * the outer one with the depth that still reaches its files. Sorted by directory.
 */
export function localRoots(patterns: readonly string[]): LocalRoot[] {
  const found = patterns.map(rootOf).filter((root): root is LocalRoot => root !== undefined);
  // Outer directories first, so every inner one finds the root it belongs to already in the list.
  found.sort((a, b) => segments(a.dir).length - segments(b.dir).length || a.dir.localeCompare(b.dir));
  const merged: LocalRoot[] = [];
  for (const root of found) {
    const at = merged.findIndex((outer) => below(outer.dir, root.dir) !== undefined);
    const outer = merged[at];
    if (outer === undefined) {
      merged.push(root);
      continue;
    }
    const extra = below(outer.dir, root.dir) ?? 0;
    merged[at] = { dir: outer.dir, depth: deeper(outer.depth, root.depth, extra) };
  }
  return merged.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
}

/** True when `root` has to watch the folder `dir`: the root itself, or a folder whose files the root reaches. */
export function watchesFolder(root: LocalRoot, dir: string): boolean {
  return dir === root.dir || reaches(root, join(dir, "a-file"));
}

/**
 * True when a file at `path` is one `root` has to see: below its directory and no deeper than its depth. Asked for
 * every watcher event, so it compares strings: a path that is already normal (what `join` gives) is not normalised
 * again.
 */
export function reaches(root: LocalRoot, path: string): boolean {
  const normal = path.includes("/.") || path.includes("//") ? posix.normalize(path) : path;
  const prefix = root.dir === "/" ? "/" : `${root.dir}/`;
  if (normal.length <= prefix.length || !normal.startsWith(prefix)) return false;
  if (root.depth === null) return true;
  let segments = 1;
  for (let i = prefix.length; i < normal.length - 1; i += 1)
    if (normal.charCodeAt(i) === slash) segments += 1;
  return segments <= root.depth;
}
