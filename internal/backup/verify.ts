/**
 * What makes a backup file good: SQLite's own `integrity_check` on the copy, and a sha256 that proves the bytes
 * stored are the bytes checked. Also the temp files every step works in, named so a crash leaves nothing that
 * looks like a backup or a database.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Manifest } from "./types.ts";

/** The first lines of a failed `integrity_check` that a message carries; SQLite may report up to 100. */
const problemLines = 3;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Why `file` is not a sound SQLite database, or undefined when `integrity_check` says "ok". */
export function integrityProblem(file: string): string | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma("integrity_check") as { integrity_check: string }[];
    const lines = rows.map((r) => r.integrity_check);
    if (lines.length === 1 && lines[0] === "ok") return undefined;
    const more = lines.length > problemLines ? ` (and ${lines.length - problemLines} more)` : "";
    return `integrity_check: ${lines.slice(0, problemLines).join("; ")}${more}`;
  } catch (err) {
    // "file is not a database", "database disk image is malformed" ... come as errors, not as rows.
    return `cannot be read as SQLite: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    db?.close();
  }
}

/**
 * Turns a fresh copy into one self-contained file. A copy of a WAL database is itself in WAL mode, and opening it
 * (even read-only) makes `-wal` and `-shm` files beside it; in rollback mode it opens cleanly anywhere, and the
 * cache switches it back to WAL when it opens the restored file.
 */
export function makeSelfContained(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
  } finally {
    db.close();
  }
}

/** Why `text` is not a manifest for a file of `bytes` with hash `sha256`, or undefined when it matches. */
export function manifestProblem(text: string, bytes: number, sha256: string): string | undefined {
  let manifest: Partial<Manifest>;
  try {
    manifest = JSON.parse(text) as Partial<Manifest>;
  } catch {
    return "manifest is not JSON";
  }
  if (typeof manifest.sha256 !== "string" || typeof manifest.bytes !== "number") {
    return "manifest has no sha256 or bytes";
  }
  if (manifest.bytes !== bytes) return `size is ${bytes} bytes, manifest says ${manifest.bytes}`;
  if (manifest.sha256 !== sha256) return `sha256 is ${sha256}, manifest says ${manifest.sha256}`;
  return undefined;
}

/** A private temp folder under `parent` (the system's by default), removed by `dispose` whatever happened. */
export async function workDir(parent?: string): Promise<{ path: string; dispose(): Promise<void> }> {
  const path = await mkdtemp(join(parent ?? tmpdir(), "taskmaster-backup-"));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}

/** A temp name beside `path`: same folder, so a rename onto `path` is atomic; a dot name, so no one takes it. */
export function siblingTemp(dir: string, base: string): string {
  return join(dir, `.${base}.${randomBytes(6).toString("hex")}.tmp`);
}
