/**
 * Scanning a watch root: the safety net under the watcher. It finds the files a watcher cannot see: those
 * written while the service was down, on file systems that send no events (NFS, SMB, FUSE), and after the
 * watcher failed (the inotify limit). Only recently modified files are returned, so a scan of a large archive
 * folder costs a directory walk, not a flood of old arrivals.
 */
import type { Dirent } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { isSkippedDir, isTempName } from "./ignore.ts";
import type { LocalRoot } from "./roots.ts";

/** A regular file a scan found. */
export interface ScannedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Something under the root could not be read; the scan went on without it. */
export interface ScanProblem {
  readonly dir: string;
  readonly message: string;
  readonly error: Error;
}

export interface ScanOptions {
  readonly onProblem?: (problem: ScanProblem) => void;
  /** Each folder the scan reads, the root first (the watcher watches these). */
  readonly onDir?: (dir: string) => void;
}

/** The root directory itself is missing or is not a directory: there is nothing to scan. */
export class WatchRootError extends Error {
  override readonly name = "WatchRootError";
  constructor(
    readonly dir: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** How many entries of one directory are looked at (stat) at once. */
const statBatch = 64;

const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;
const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** Throws WatchRootError unless `dir` is a directory; returns its real path (to stop symlink loops). */
async function openRoot(dir: string): Promise<string> {
  try {
    const stats = await stat(dir);
    if (!stats.isDirectory()) throw new WatchRootError(dir, `watch root ${dir} is not a directory`);
    return await realpath(dir);
  } catch (err) {
    if (err instanceof WatchRootError) throw err;
    const code = errorCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new WatchRootError(dir, `watch root ${dir} does not exist`, { cause: err });
    }
    throw new WatchRootError(dir, `watch root ${dir} cannot be read: ${toError(err).message}`, {
      cause: err,
    });
  }
}

/** One directory still to read; `level` is how many segments below the root its entries are. */
interface Pending {
  readonly dir: string;
  readonly level: number;
}

interface Walk {
  readonly root: LocalRoot;
  readonly since: number;
  readonly options: ScanOptions;
  /** Real paths of the directories read so far: a symlink back up the tree is read only once. */
  readonly seen: Set<string>;
  readonly queue: Pending[];
  readonly found: ScannedFile[];
}

/** Reads one directory's entries; an unreadable one is reported and skipped. */
async function entries(walk: Walk, dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    // Gone since its parent was read: nothing to report, it simply is not there any more.
    if (errorCode(err) === "ENOENT") return [];
    const error = toError(err);
    walk.options.onProblem?.({ dir, message: `cannot read ${dir} (skipped): ${error.message}`, error });
    return [];
  }
}

/** Looks at one entry: a recent regular file is kept, a directory within the depth is queued. */
async function visit(walk: Walk, entry: Dirent, at: Pending): Promise<void> {
  const path = join(at.dir, entry.name);
  // Skipped by name before any stat, so a folder full of `.part` files costs one readdir.
  if (entry.isFile() && isTempName(path)) return;
  if (entry.isDirectory() && isSkippedDir(path)) return;
  if (!entry.isDirectory() && !entry.isFile() && !entry.isSymbolicLink()) return; // sockets, fifos, devices
  let stats: Awaited<ReturnType<typeof stat>>;
  try {
    stats = await stat(path); // follows a symlink, as the watcher does
  } catch {
    return; // removed meanwhile, or a dangling link
  }
  if (stats.isFile()) {
    if (!isTempName(path) && stats.mtimeMs >= walk.since) {
      walk.found.push({ path, size: stats.size, mtimeMs: stats.mtimeMs });
    }
    return;
  }
  if (!stats.isDirectory() || isSkippedDir(path)) return;
  const depth = walk.root.depth;
  if (depth !== null && at.level >= depth) return; // its files would be deeper than any pattern reaches
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined || walk.seen.has(real)) return;
  walk.seen.add(real);
  walk.queue.push({ dir: path, level: at.level + 1 });
}

/**
 * The regular files under `root` (at most `root.depth` segments below it; null: any depth) modified at or
 * after `since` (epoch ms). Temporary names are skipped, and so are hidden and temporary directories.
 * Symlinks are followed, each real directory read once. Throws WatchRootError when the root is missing;
 * an unreadable directory below it goes to `onProblem` and the scan goes on.
 */
export async function scanRoot(
  root: LocalRoot,
  since: number,
  options: ScanOptions = {},
): Promise<ScannedFile[]> {
  const real = await openRoot(root.dir);
  const walk: Walk = {
    root,
    since,
    options,
    seen: new Set([real]),
    queue: [{ dir: root.dir, level: 1 }],
    found: [],
  };
  // Breadth first; `queue` grows while it is read.
  for (let next = 0; next < walk.queue.length; next += 1) {
    const at = walk.queue[next];
    if (at === undefined) break;
    options.onDir?.(at.dir);
    const list = await entries(walk, at.dir);
    for (let i = 0; i < list.length; i += statBatch) {
      await Promise.all(list.slice(i, i + statBatch).map((entry) => visit(walk, entry, at)));
    }
  }
  return walk.found;
}
