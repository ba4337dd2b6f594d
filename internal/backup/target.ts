/**
 * Where backups go, from the config's text: a local folder, or `s3://bucket/prefix`. Parsing is separate from
 * opening so config checks can report a bad location without touching the disk or the network.
 */
import { resolve } from "node:path";
import type { S3Config } from "../config/types.ts";
import { BackupLocationError } from "./errors.ts";
import { localTarget } from "./local.ts";
import { s3Target } from "./s3.ts";
import type { BackupLocation, BackupTarget } from "./types.ts";

/** S3's rules for bucket names (3–63 characters of a-z, 0-9, "." and "-", starting and ending with a letter or digit). */
const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const scheme = /^([a-z][a-z0-9+.-]*):\/\//i;

/** Reads a backup location; throws BackupLocationError saying what is wrong. A local path is made absolute. */
export function parseBackupLocation(text: string): BackupLocation {
  const given = text.trim();
  if (given === "") throw new BackupLocationError(text, "is empty; give a folder or s3://bucket/prefix");
  const found = scheme.exec(given);
  if (found === null) return { kind: "local", dir: resolve(given) };
  const kind = found[1]?.toLowerCase();
  const rest = given.slice(found[0].length);
  if (kind === "file") {
    if (!rest.startsWith("/"))
      throw new BackupLocationError(text, "a file:// location needs an absolute path");
    return { kind: "local", dir: resolve(decodeURIComponent(rest)) };
  }
  if (kind !== "s3") {
    throw new BackupLocationError(text, `"${kind}://" is not supported; give a folder or s3://bucket/prefix`);
  }
  return parseS3(text, rest);
}

function parseS3(text: string, rest: string): BackupLocation {
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "" : rest.slice(slash + 1);
  if (bucket === "")
    throw new BackupLocationError(text, "has no bucket; write s3://bucket or s3://bucket/prefix");
  if (!bucketName.test(bucket) || bucket.includes("..")) {
    throw new BackupLocationError(
      text,
      `"${bucket}" is not a valid bucket name (3-63 characters: lowercase letters, digits, "." and "-")`,
    );
  }
  if (/[?#]/.test(path)) throw new BackupLocationError(text, "a prefix cannot hold '?' or '#'");
  const segments = path.split("/").filter((s, i, all) => !(s === "" && i === all.length - 1));
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    throw new BackupLocationError(text, `prefix "${path}" has an empty, "." or ".." part`);
  }
  return { kind: "s3", bucket, prefix: segments.length === 0 ? "" : `${segments.join("/")}/` };
}

/** Opens the target a location names; `s3` is only read for an S3 location. */
export async function openTarget(text: string, s3: S3Config): Promise<BackupTarget> {
  const location = parseBackupLocation(text);
  return location.kind === "local" ? localTarget(location.dir) : s3Target(location, s3);
}
