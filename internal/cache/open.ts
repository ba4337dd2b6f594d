/**
 * Getting a usable database at the path, whatever is there: when there is no file (missing, empty, or just moved
 * aside as corrupt) the caller's `beforeOpen` may put a backup there first; a corrupt file is moved aside, never
 * deleted, and replaced. Only a file that cannot be opened or written at all (the disk, the mount) is an error.
 */
import { existsSync, statSync } from "node:fs";
import type { Database } from "better-sqlite3";
import { moveCacheAside, openDatabase } from "./db.ts";
import { CacheCorruptError } from "./failure.ts";

/** Called when `path` holds no database, to restore a backup there; it may do nothing. */
export type BeforeOpen = (path: string) => Promise<void> | void;

export interface OpenedCache {
  readonly db: Database;
  /** Where a corrupt file was moved, when one was. */
  readonly movedAside?: string;
  /** What `beforeOpen` threw, if it did (opening goes on without the backup). */
  readonly hookError?: unknown;
}

export interface OpenCacheOptions {
  readonly path: string;
  readonly now: () => Date;
  readonly beforeOpen?: BeforeOpen;
  /** A query already found the file corrupt: set it aside without trusting a new check. */
  readonly knownCorrupt?: boolean;
}

export async function openCache(options: OpenCacheOptions): Promise<OpenedCache> {
  const { path, now, knownCorrupt } = options;
  let movedAside: string | undefined;
  if (knownCorrupt) movedAside = moveCacheAside(path, now());
  let hookError = await restoreIfNone(options);
  try {
    return { db: openDatabase(path), movedAside, hookError };
  } catch (err) {
    if (!(err instanceof CacheCorruptError)) throw err;
  }
  movedAside = moveCacheAside(path, now());
  hookError = (await restoreIfNone(options)) ?? hookError;
  try {
    return { db: openDatabase(path), movedAside, hookError };
  } catch (err) {
    if (!(err instanceof CacheCorruptError)) throw err;
  }
  // What `beforeOpen` restored is corrupt as well: set it aside too and start empty.
  moveCacheAside(path, now());
  return { db: openDatabase(path), movedAside, hookError };
}

/** Runs `beforeOpen` when there is no database at the path; returns what it threw, if anything. */
async function restoreIfNone(options: OpenCacheOptions): Promise<unknown> {
  const { path, beforeOpen } = options;
  if (!beforeOpen || (existsSync(path) && statSync(path).size > 0)) return undefined;
  try {
    await beforeOpen(path);
    return undefined;
  } catch (err) {
    return err;
  }
}
