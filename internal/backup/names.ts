/**
 * How backups are named and found again. A name carries the time it was taken, in a form that sorts as text in
 * time order (`taskmaster-20240131T235959123Z.db`), so "newest" never needs object dates, which S3 and copies
 * between folders do not keep reliably. A backup counts as verified when its manifest `<name>.json` exists.
 * The part before the time is "taskmaster" unless the backup location named a file (`tasks.db` gives `tasks`).
 */
import type { StoredObject } from "./types.ts";

export const defaultBaseName = "taskmaster";
const manifestSuffix = ".json";
const patterns = new Map<string, RegExp>();

/** The pattern of a backup's name for `base`, made once per base. */
function namePattern(base: string): RegExp {
  let pattern = patterns.get(base);
  if (pattern === undefined) {
    const literal = base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    pattern = new RegExp(`^${literal}-(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})(\\d{3})Z\\.db$`);
    patterns.set(base, pattern);
  }
  return pattern;
}

/** A stored backup, as found in a listing. */
export interface CatalogEntry {
  readonly name: string;
  readonly size: number;
  /** Its manifest is stored too: the upload was read back and matched. */
  readonly verified: boolean;
}

/** The name for a backup taken at `at`, in UTC to the millisecond. */
export function backupNameAt(at: Date, base = defaultBaseName): string {
  // 2024-01-31T23:59:59.123Z → 20240131T235959123Z
  return `${base}-${at.toISOString().replace(/[-:.]/g, "")}.db`;
}

/** The time a backup name carries, or undefined for a name that is not a backup's. */
export function backupTime(name: string, base = defaultBaseName): Date | undefined {
  const m = namePattern(base).exec(name);
  if (m === null) return undefined;
  const [, year, month, day, hour, minute, second, ms] = m;
  const at = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${ms}Z`);
  // A name like ...20241340... matches the pattern but is no time.
  return Number.isNaN(at.getTime()) ? undefined : at;
}

export function isBackupName(name: string, base = defaultBaseName): boolean {
  return backupTime(name, base) !== undefined;
}

export function manifestName(backup: string): string {
  return `${backup}${manifestSuffix}`;
}

/**
 * The name for a new backup at `at` that sorts after every stored one: a clock that stepped back, or two backups
 * in one millisecond, would otherwise give a name that is not the newest (and restore picks by name).
 */
export function nextBackupName(at: Date, stored: readonly CatalogEntry[], base = defaultBaseName): string {
  const newest = stored[0] === undefined ? undefined : backupTime(stored[0].name, base);
  if (newest !== undefined && at.getTime() <= newest.getTime()) {
    return backupNameAt(new Date(newest.getTime() + 1), base);
  }
  return backupNameAt(at, base);
}

/** The backups in a listing, newest first, each marked verified or not. Other files are left out. */
export function catalog(objects: readonly StoredObject[], base = defaultBaseName): CatalogEntry[] {
  const names = new Set(objects.map((o) => o.name));
  return objects
    .filter((o) => isBackupName(o.name, base))
    .map((o) => ({ name: o.name, size: o.size, verified: names.has(manifestName(o.name)) }))
    .sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/** Manifests whose backup is gone (a prune interrupted between the two removals). */
export function orphanManifests(objects: readonly StoredObject[], base = defaultBaseName): string[] {
  const names = new Set(objects.map((o) => o.name));
  return objects
    .map((o) => o.name)
    .filter((n) => n.endsWith(manifestSuffix))
    .filter((n) => {
      const backup = n.slice(0, -manifestSuffix.length);
      return isBackupName(backup, base) && !names.has(backup);
    });
}
