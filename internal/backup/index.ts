/**
 * Backups of the SQLite cache: to a local folder or an S3 prefix, each one checked by SQLite, read back and
 * compared by sha256, the newest `keep` kept; restore puts the newest good one in place; a schedule takes them in
 * the background and reports by events.
 */

export { type TakeBackupOptions, takeBackup } from "./backup.ts";
export { type BackupBench, measureBackup } from "./bench.ts";
export { BackupError, BackupLocationError, RestoreError } from "./errors.ts";
export { localTarget } from "./local.ts";
export { type RestoreOptions, type RestoreResult, restoreNewest, type SkippedBackup } from "./restore.ts";
export { s3Target } from "./s3.ts";
export {
  type BackupSchedule,
  type BackupScheduleOptions,
  startBackups,
} from "./schedule.ts";
export { openTarget, parseBackupLocation } from "./target.ts";
export type {
  BackupEvent,
  BackupLocation,
  BackupResult,
  BackupTarget,
  Manifest,
  StoredObject,
} from "./types.ts";
