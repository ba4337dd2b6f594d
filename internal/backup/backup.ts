/**
 * Taking one backup: an online copy of the cache, checked by SQLite, uploaded, read back and compared, then
 * marked verified by its manifest; then old backups are pruned. A backup that cannot be proven good never gets a
 * manifest, so restore and pruning treat it as not there.
 */
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { asError, BackupError } from "./errors.ts";
import { type CatalogEntry, catalog, manifestName, nextBackupName, orphanManifests } from "./names.ts";
import type { BackupResult, BackupTarget, Manifest } from "./types.ts";
import { integrityProblem, makeSelfContained, sha256File, workDir } from "./verify.ts";

export interface TakeBackupOptions {
  /** The cache; it stays open and usable while the copy is made. */
  readonly db: Database.Database;
  readonly target: BackupTarget;
  /** How many verified backups to keep, counting the new one; at least 1. */
  readonly keep: number;
  /** The time the backup is named after; the system clock by default. */
  readonly now?: () => Date;
  /** Where the copy is made before upload; the system temp folder by default. */
  readonly tmpDir?: string;
}

/** Pages copied per step of SQLite's online backup; the cache is usable between steps. */
const pagesPerStep = 1000;
/** As many pages as SQLite will take in one step: the whole rest of the database. */
const allPages = 0x7fffffff;

/** Takes, verifies and stores one backup of `db`, then prunes to the newest `keep`; throws BackupError. */
export async function takeBackup(options: TakeBackupOptions): Promise<BackupResult> {
  const { db, target, keep } = options;
  if (!Number.isInteger(keep) || keep < 1)
    throw new BackupError(`keep must be a whole number ≥ 1, not ${keep}`);
  const started = performance.now();
  // The time of the copy, which is what a restore gets back.
  const at = options.now?.() ?? new Date();
  const work = await workDir(options.tmpDir);
  try {
    const copy = join(work.path, "copy.db");
    await copyDatabase(db, copy);
    const problem = integrityProblem(copy);
    if (problem !== undefined) throw new BackupError(`the copy of the cache is not sound: ${problem}`);
    const sha256 = await sha256File(copy);
    const listed = await step("list the backups in", target, () => target.list());
    const stored = catalog(listed, target.baseName);
    const name = nextBackupName(at, stored, target.baseName);
    await step(`upload ${name} to`, target, () => target.put(name, copy));
    await verifyUpload(target, name, sha256, work.path);
    const manifest: Manifest = { sha256, bytes: (await stat(copy)).size, taken: at.toISOString() };
    const manifestFile = join(work.path, "manifest.json");
    await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    await step(`upload ${manifestName(name)} to`, target, () => target.put(manifestName(name), manifestFile));
    const pruned = await prune(target, name, keep);
    return { name, bytes: manifest.bytes, sha256, ms: Math.round(performance.now() - started), ...pruned };
  } finally {
    await work.dispose();
  }
}

/**
 * SQLite's online backup, in steps so the cache stays usable. A write through another connection between two
 * steps restarts the copy, so a busy writer can keep it from ever finishing (seen: the same pages left after
 * every step); once a step makes no headway, the rest is copied in one step. Writes through `db` itself are
 * carried into the copy without a restart.
 */
async function copyDatabase(db: Database.Database, file: string): Promise<void> {
  let lastRemaining = Number.POSITIVE_INFINITY;
  let stalled = false;
  try {
    await db.backup(file, {
      progress: ({ remainingPages }) => {
        if (remainingPages >= lastRemaining) stalled = true;
        lastRemaining = remainingPages;
        return stalled ? allPages : pagesPerStep;
      },
    });
    makeSelfContained(file);
  } catch (err) {
    throw new BackupError(`copying the cache failed: ${asError(err).message}`, { cause: err });
  }
}

/** Reads the stored backup back and compares its sha256 with the copy's; removes it when they differ. */
async function verifyUpload(target: BackupTarget, name: string, sha256: string, dir: string): Promise<void> {
  const back = join(dir, "readback.db");
  await step(`read ${name} back from`, target, () => target.get(name, back));
  const got = await sha256File(back);
  if (got === sha256) return;
  await target.remove(name).catch(() => undefined);
  throw new BackupError(
    `${name} read back from ${target.describe} differs from what was sent (sha256 ${got}, sent ${sha256})`,
  );
}

/**
 * Keeps the newest `keep` verified backups. Older ones go with their manifests; so do unverified backups older
 * than the new one (uploads that failed before their manifest; backups here are taken one at a time) and
 * manifests left without a backup. `taken` itself is never removed.
 */
async function prune(
  target: BackupTarget,
  taken: string,
  keep: number,
): Promise<Pick<BackupResult, "removed" | "pruneError">> {
  const removed: string[] = [];
  try {
    const objects = await target.list();
    const stale = staleBackups(catalog(objects, target.baseName), taken, keep);
    for (const entry of stale) {
      // The manifest first: a backup without one is already "not there" for restore.
      if (entry.verified) await target.remove(manifestName(entry.name));
      await target.remove(entry.name);
      removed.push(entry.name);
    }
    for (const orphan of orphanManifests(objects, target.baseName)) {
      await target.remove(orphan);
      removed.push(orphan);
    }
    return { removed };
  } catch (err) {
    return { removed, pruneError: `pruning ${target.describe}: ${asError(err).message}` };
  }
}

/** The backups to remove, given the listing newest first. */
export function staleBackups(entries: readonly CatalogEntry[], taken: string, keep: number): CatalogEntry[] {
  const kept = new Set([taken]);
  for (const entry of entries) {
    if (kept.size >= keep) break;
    if (entry.verified) kept.add(entry.name);
  }
  return entries.filter((e) => !kept.has(e.name) && (e.verified || e.name < taken));
}

/** Runs one call to the target; a failure becomes a BackupError that says what was being done, and where. */
async function step<T>(what: string, target: BackupTarget, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new BackupError(`could not ${what} ${target.describe}: ${asError(err).message}`, { cause: err });
  }
}
