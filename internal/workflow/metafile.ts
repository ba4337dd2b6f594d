/**
 * Reads a batch `meta-file=` from disk: a path or a glob (the `files=` glob language) relative to a directory,
 * every matching file in name order, `.gz` files gunzipped, `.csv` parsed as CSV and anything else as NDJSON.
 * Synchronous on purpose: the planner calls it through an injected `(pattern) => MetaRow[]` and stays pure.
 * Flowlord also read `s3://` and `gs://` meta-files; only local files are read here.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { gunzipSync } from "node:zlib";
import { compileGlob, type Glob } from "../rule/index.ts";
import type { MetaRow } from "../rule/types.ts";
import { MetaFileError, parseCsv, parseNdjson } from "./metarows.ts";

export function readMetaFile(pattern: string, cwd: string): MetaRow[] {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(pattern)) {
    throw new MetaFileError(`${pattern}: only local meta-files can be read`);
  }
  const files = /[*?[\\]/.test(pattern) ? globFiles(pattern, cwd) : plainFile(resolve(cwd, pattern));
  if (files.length === 0) throw new MetaFileError(`no files found for ${pattern}`);
  return files.flatMap((file) => readOne(file, shownName(file, cwd)));
}

function plainFile(path: string): string[] {
  try {
    return statSync(path).isFile() ? [path] : [];
  } catch {
    return [];
  }
}

function globFiles(pattern: string, cwd: string): string[] {
  const compiled = compileGlob(resolve(cwd, pattern));
  if ("error" in compiled) throw new MetaFileError(`meta-file pattern ${pattern}: ${compiled.error}`);
  const found: string[] = [];
  walk(compiled.glob, compiled.glob.root, new Set(), found);
  return found.sort();
}

/** Every file under `dir` the glob matches; directories are entered once by real path, so links cannot loop. */
function walk(glob: Glob, dir: string, seen: Set<string>, found: string[]): void {
  let names: string[];
  try {
    const real = realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    names = readdirSync(dir);
  } catch {
    return; // A root that does not exist, or a folder that cannot be listed, simply has no matches.
  }
  for (const name of names) {
    const path = join(dir, name);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      continue;
    }
    if (isDirectory) walk(glob, path, seen, found);
    else if (glob.match(toSlashes(path))) found.push(path);
  }
}

function readOne(path: string, shown: string): MetaRow[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new MetaFileError(`${shown}: cannot read (${reason(err)})`, { cause: err });
  }
  const zipped = path.endsWith(".gz");
  if (zipped) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new MetaFileError(`${shown}: not a gzip file (${reason(err)})`, { cause: err });
    }
  }
  const text = bytes.toString("utf8");
  const inner = zipped ? path.slice(0, -".gz".length) : path;
  return inner.toLowerCase().endsWith(".csv") ? parseCsv(text, shown) : parseNdjson(text, shown);
}

/** A file as people name it in errors: relative to the directory patterns are read from, when it is inside it. */
function shownName(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === "" || rel.startsWith("..") ? toSlashes(path) : toSlashes(rel);
}

function toSlashes(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
