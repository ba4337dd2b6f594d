/**
 * Putting the newest good backup in place of the cache file. Each candidate, newest first, is downloaded beside
 * the cache file, matched against its manifest and checked by SQLite; the first good one is renamed over the cache
 * (atomic: the file is the old one or the new one, never half of each). Bad backups are skipped and reported;
 * failing to reach the target at all is a RestoreError, because "no usable backup" would be the wrong answer then.
 */
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { asError, RestoreError } from "./errors.ts";
import { type CatalogEntry, catalog, manifestName } from "./names.ts";
import type { BackupTarget } from "./types.ts";
import { integrityProblem, manifestProblem, sha256File, siblingTemp, workDir } from "./verify.ts";

export interface RestoreOptions {
  readonly target: BackupTarget;
  /** The cache file to replace. No connection may have it open. */
  readonly path: string;
  /** Where manifests are read; the system temp folder by default. Backups are downloaded beside `path`. */
  readonly tmpDir?: string;
  /** Told of each backup passed over, as it happens (also in the result, which is null when none was usable). */
  readonly onSkip?: (skipped: SkippedBackup) => void;
}

export interface SkippedBackup {
  readonly name: string;
  readonly reason: string;
}

export interface RestoreResult {
  /** The backup now in place. */
  readonly name: string;
  /** Newer backups passed over, newest first, with why. */
  readonly skipped: readonly SkippedBackup[];
}

/** Files SQLite keeps beside a database; stale ones would be replayed onto the restored file. */
const sideFiles = ["-wal", "-shm", "-journal"] as const;

/** Restores the newest usable backup to `path`; null when there is none (none stored, or every one bad). */
export async function restoreNewest(options: RestoreOptions): Promise<RestoreResult | null> {
  const { target, path } = options;
  const listed = await reach(`list the backups in ${target.describe}`, () => target.list());
  const entries = catalog(listed, target.baseName);
  await mkdir(dirname(path), { recursive: true });
  const work = await workDir(options.tmpDir);
  const skipped: SkippedBackup[] = [];
  try {
    for (const entry of entries) {
      const temp = siblingTemp(dirname(path), basename(path));
      try {
        const reason = await fetchChecked(target, entry, temp, work.path);
        if (reason === undefined) {
          await putInPlace(temp, path);
          return { name: entry.name, skipped };
        }
        const skip = { name: entry.name, reason };
        skipped.push(skip);
        options.onSkip?.(skip);
      } finally {
        await removeWithSideFiles(temp);
      }
    }
    return null;
  } finally {
    await work.dispose();
  }
}

/** Downloads `entry` to `dest` and checks it; the reason it is not usable, or undefined when it is. */
async function fetchChecked(
  target: BackupTarget,
  entry: CatalogEntry,
  dest: string,
  dir: string,
): Promise<string | undefined> {
  // No manifest: the upload was never read back and matched (or is still being taken elsewhere).
  if (!entry.verified) return "not verified (no manifest)";
  const manifestFile = join(dir, "manifest.json");
  const where = `${entry.name} from ${target.describe}`;
  await reach(`read the manifest of ${where}`, () => target.get(manifestName(entry.name), manifestFile));
  await reach(`download ${where}`, () => target.get(entry.name, dest));
  const bytes = (await stat(dest)).size;
  const problem = manifestProblem(await readFile(manifestFile, "utf8"), bytes, await sha256File(dest));
  return problem ?? integrityProblem(dest);
}

/**
 * Renames `temp` over `path`. Side files go first: an old `-wal` or hot `-journal` next to the new file would be
 * applied to it on open and corrupt it, while losing them with the old file is what a restore means anyway.
 */
async function putInPlace(temp: string, path: string): Promise<void> {
  for (const suffix of sideFiles) await rm(`${path}${suffix}`, { force: true });
  await rename(temp, path);
}

/** A temp database and whatever SQLite made beside it while it was checked. */
async function removeWithSideFiles(file: string): Promise<void> {
  await rm(file, { force: true });
  for (const suffix of sideFiles) await rm(`${file}${suffix}`, { force: true });
}

/** Calls the target; a failure to reach it is a RestoreError naming what was being done. */
async function reach<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new RestoreError(`could not ${what}: ${asError(err).message}`, { cause: err });
  }
}
