/**
 * The shapes shared by the backup module: where backups go (`BackupLocation`, parsed from config text), the
 * narrow store every step talks to (`BackupTarget`), the manifest that marks a backup as verified, and what a
 * backup reports.
 */

export type BackupLocation =
  | { readonly kind: "local"; readonly dir: string; readonly baseName?: string }
  /** `prefix` is "" or ends with "/", so a key is always `prefix + name`. */
  | {
      readonly kind: "s3" | "gs";
      readonly bucket: string;
      readonly prefix: string;
      /** Set when the location named a `.db` file: the backups there are named after it. */
      readonly baseName?: string;
    };

/** One stored object, named relative to the target's folder or prefix. */
export interface StoredObject {
  readonly name: string;
  readonly size: number;
}

/**
 * A flat store of named files: a local folder or a bucket prefix. Names are plain file names (no "/"); a `put` is
 * all or nothing, so a name that is listed always holds a whole file.
 */
export interface BackupTarget {
  /** Where the backups are, for logs: the folder, `s3://bucket/prefix` or `gs://bucket/prefix`. */
  readonly describe: string;
  /** Backups here are named `<baseName>-<time>.db`. */
  readonly baseName: string;
  /** Stores the local file `file` under `name`, replacing what was there. */
  put(name: string, file: string): Promise<void>;
  /** Writes the stored `name` to the local path `dest`. */
  get(name: string, dest: string): Promise<void>;
  /** Every stored file, in no particular order. */
  list(): Promise<StoredObject[]>;
  /** Removes `name`; removing what is not there is not an error. */
  remove(name: string): Promise<void>;
  /** Releases connections (the S3 client's sockets); the target is not used after. */
  close?(): void;
}

/** `<backup>.json` next to each backup; written only after the uploaded copy was read back and matched. */
export interface Manifest {
  /** Hex sha256 of the backup file. */
  readonly sha256: string;
  readonly bytes: number;
  /** ISO time the backup was taken. */
  readonly taken: string;
}

export interface BackupResult {
  /** The stored name, `taskmaster-YYYYMMDDTHHMMSSmmmZ.db`. */
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
  /** From the start of the copy to the end of the prune. */
  readonly ms: number;
  /** Older backups (and manifests) removed to keep the newest `keep`. */
  readonly removed: readonly string[];
  /** Why pruning stopped, when it did; the backup itself is good and stored. */
  readonly pruneError?: string;
}

/** What the backup schedule reports; the composition root logs these and raises the alert. */
export type BackupEvent =
  | {
      readonly type: "backupTaken";
      readonly name: string;
      readonly bytes: number;
      readonly ms: number;
      readonly removed: readonly string[];
      readonly pruneError?: string;
    }
  /** `willRetryInMs` is null when no retry follows (the backups are stopping). */
  | {
      readonly type: "backupFailed";
      readonly error: Error;
      readonly attempt: number;
      readonly willRetryInMs: number | null;
    }
  | { readonly type: "backupFailing"; readonly since: Date; readonly attempts: number; readonly error: Error }
  | { readonly type: "backupRecovered" };
