/**
 * The backup module's errors, one class per failure so a caller can tell them apart by `name`: a backup location
 * that cannot be understood (a person must fix the config), a backup that could not be taken or proven good, and
 * a restore that could not reach the backups at all (as opposed to backups that were there but bad, which
 * `restoreNewest` skips and reports).
 */

/** `cache.backup_path` (or whatever text was given) does not name a folder or an `s3://bucket/prefix`. */
export class BackupLocationError extends Error {
  override readonly name = "BackupLocationError";
  /** The text as given. */
  readonly location: string;
  constructor(location: string, message: string) {
    super(`backup location ${JSON.stringify(location)}: ${message}`);
    this.location = location;
  }
}

/** A backup was not taken, or was taken but could not be shown to be a good copy; the message says which step. */
export class BackupError extends Error {
  override readonly name = "BackupError";
}

/** The backups could not be listed or read (the target is down, a permission is missing); none was judged. */
export class RestoreError extends Error {
  override readonly name = "RestoreError";
}

/** Any thrown value as an Error, so events and causes always carry a message. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
