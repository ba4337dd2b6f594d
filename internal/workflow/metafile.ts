/**
 * Reads a batch `meta-file=` from disk: a path or a glob (the `files=` glob language) relative to a directory,
 * every matching file in name order, `.gz` files gunzipped, `.csv` parsed as CSV and anything else as NDJSON.
 * `readMetaFile` is synchronous for the planner, which calls it through an injected `(pattern) => MetaRow[]` and
 * stays pure; `loadMetaFile` reads the same without blocking the event loop, for a caller that reads the rows first
 * and plans with them after (an API request, where a glob over a big tree must not stall the service).
 * Flowlord also read `s3://` and `gs://` meta-files; only local files are read here.
 */
import { type Dirent, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { gunzip, gunzipSync } from "node:zlib";
import type { MetaRow } from "../rule/index.ts";
import { compileGlob, type Glob } from "../rule/index.ts";
import { MetaFileError, parseCsv, parseNdjson } from "./metarows.ts";

export function readMetaFile(pattern: string, cwd: string): MetaRow[] {
  checkLocal(pattern);
  const files = isGlob(pattern) ? globFiles(pattern, cwd) : plainFile(resolve(cwd, pattern));
  if (files.length === 0) throw new MetaFileError(`no files found for ${pattern}`);
  return files.flatMap((file) => readOne(file, shownName(file, cwd)));
}

/** `readMetaFile` without blocking: the glob is walked, and each file read, through the asynchronous fs calls. */
export async function loadMetaFile(pattern: string, cwd: string): Promise<MetaRow[]> {
  checkLocal(pattern);
  const files = isGlob(pattern)
    ? await globFilesAsync(pattern, cwd)
    : await plainFileAsync(resolve(cwd, pattern));
  if (files.length === 0) throw new MetaFileError(`no files found for ${pattern}`);
  const rows: MetaRow[] = [];
  for (const file of files) {
    const shown = shownName(file, cwd);
    const bytes = await readFile(file).catch((err: unknown) => {
      throw new MetaFileError(`${shown}: cannot read (${reason(err)})`, { cause: err });
    });
    for (const row of parseRows(file, shown, await unzipped(file, shown, bytes))) rows.push(row);
  }
  return rows;
}

function checkLocal(pattern: string): void {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(pattern)) {
    throw new MetaFileError(`${pattern}: only local meta-files can be read`);
  }
}

const isGlob = (pattern: string) => /[*?[\\]/.test(pattern);

function plainFile(path: string): string[] {
  try {
    return statSync(path).isFile() ? [path] : [];
  } catch {
    return [];
  }
}

async function plainFileAsync(path: string): Promise<string[]> {
  return (await stat(path).catch(() => undefined))?.isFile() ? [path] : [];
}

function globOf(pattern: string, cwd: string): Glob {
  const compiled = compileGlob(resolve(cwd, pattern));
  if ("error" in compiled) throw new MetaFileError(`meta-file pattern ${pattern}: ${compiled.error}`);
  return compiled.glob;
}

function globFiles(pattern: string, cwd: string): string[] {
  const glob = globOf(pattern, cwd);
  const found: string[] = [];
  walk(glob, glob.root, new Set(), found);
  return found.sort();
}

async function globFilesAsync(pattern: string, cwd: string): Promise<string[]> {
  const glob = globOf(pattern, cwd);
  const found: string[] = [];
  await walkAsync(glob, glob.root, new Set(), found);
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

/** As `walk`; the entry types come with the listing, so only links are looked up one by one. */
async function walkAsync(glob: Glob, dir: string, seen: Set<string>, found: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    const real = await realpath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const isDirectory = entry.isSymbolicLink()
      ? await stat(path).then(
          (s) => s.isDirectory(),
          () => undefined,
        )
      : entry.isDirectory();
    if (isDirectory === undefined) continue;
    if (isDirectory) await walkAsync(glob, path, seen, found);
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
  return parseRows(path, shown, bytes);
}

const gunzipAsync = promisify(gunzip);

async function unzipped(path: string, shown: string, bytes: Buffer): Promise<Buffer> {
  if (!path.endsWith(".gz")) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (err) {
    throw new MetaFileError(`${shown}: not a gzip file (${reason(err)})`, { cause: err });
  }
}

/** CSV for a `.csv` (or `.csv.gz`) file, NDJSON for anything else. */
function parseRows(path: string, shown: string, bytes: Buffer): MetaRow[] {
  const text = bytes.toString("utf8");
  const inner = path.endsWith(".gz") ? path.slice(0, -".gz".length) : path;
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
