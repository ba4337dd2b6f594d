/**
 * What went wrong with the database file, in the store's terms: which failures mean "wait and retry" (the disk, the
 * mount, a lock), which mean "move the file aside" (corruption), and which are a bad record (drop it). Reasons name
 * the path and the SQLite code in plain words, because a person reads them on the dashboard and in the log.
 */

export const FailureKind = {
  full: "full",
  readonly: "readonly",
  io: "io",
  cantopen: "cantopen",
  busy: "busy",
  corrupt: "corrupt",
  /** Anything else: a bug or a record SQLite refuses. Retrying would fail the same way. */
  other: "other",
} as const;
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

export interface Failure {
  readonly kind: FailureKind;
  /** The SQLite or system code (`SQLITE_FULL`, `SQLITE_IOERR_WRITE`, `EROFS`), or "" when there is none. */
  readonly code: string;
  readonly message: string;
}

/** The database file failed its check at open (`quick_check`) or holds no database. */
export class CacheCorruptError extends Error {
  override readonly name = "CacheCorruptError";
  readonly path: string;
  constructor(path: string, detail: string, options?: { cause?: unknown }) {
    super(`${path} is corrupt: ${detail}`, options);
    this.path = path;
  }
}

const prefixes: readonly (readonly [string, FailureKind])[] = [
  ["SQLITE_FULL", FailureKind.full],
  ["SQLITE_READONLY", FailureKind.readonly],
  ["SQLITE_IOERR", FailureKind.io],
  ["SQLITE_CANTOPEN", FailureKind.cantopen],
  ["SQLITE_PERM", FailureKind.cantopen],
  ["SQLITE_AUTH", FailureKind.cantopen],
  ["SQLITE_BUSY", FailureKind.busy],
  ["SQLITE_LOCKED", FailureKind.busy],
  ["SQLITE_NOMEM", FailureKind.io],
  ["SQLITE_PROTOCOL", FailureKind.busy],
  ["SQLITE_CORRUPT", FailureKind.corrupt],
  ["SQLITE_NOTADB", FailureKind.corrupt],
  // Creating the folder: the errors of mkdir.
  ["ENOSPC", FailureKind.full],
  ["EDQUOT", FailureKind.full],
  ["EROFS", FailureKind.readonly],
  ["EACCES", FailureKind.cantopen],
  ["EPERM", FailureKind.cantopen],
  ["ENOENT", FailureKind.cantopen],
  ["ENOTDIR", FailureKind.cantopen],
  ["EEXIST", FailureKind.cantopen],
  ["EIO", FailureKind.io],
];

export function classify(err: unknown): Failure {
  if (err instanceof CacheCorruptError) return { kind: FailureKind.corrupt, code: "", message: err.message };
  const message = errorText(err);
  const code = codeOf(err);
  const found = prefixes.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
  return { kind: found?.[1] ?? FailureKind.other, code, message };
}

/** Failures that pass when the disk, the mount or the other process does: keep the records and try again. */
export function isTransient(f: Failure): boolean {
  return f.kind !== FailureKind.corrupt && f.kind !== FailureKind.other;
}

/** A reason for the state: "disk full writing /x/taskmaster.db (SQLITE_FULL)". */
export function describe(f: Failure, path: string, doing: "opening" | "writing"): string {
  const code = f.code ? ` (${f.code})` : "";
  switch (f.kind) {
    case FailureKind.full:
      return `disk full ${doing} ${path}${code}`;
    case FailureKind.readonly:
      return `read-only file system or file ${doing} ${path}${code}`;
    case FailureKind.io:
      return `I/O error ${doing} ${path}${code}`;
    case FailureKind.cantopen:
      return `cannot open ${path}: its folder is missing, cannot be made, is read-only or not allowed${code}`;
    case FailureKind.busy:
      return `${path} is locked by another process${code}`;
    case FailureKind.corrupt:
      return `${path} is corrupt${code}`;
    default:
      return `error ${doing} ${path}: ${f.message}${code}`;
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function codeOf(err: unknown): string {
  if (typeof err !== "object" || err === null || !("code" in err)) return "";
  return typeof err.code === "string" ? err.code : "";
}
