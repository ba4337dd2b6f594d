/**
 * Where backups go, from the config's text: a local folder, `s3://bucket/prefix` or `gs://bucket/prefix`. A last
 * part ending in `.db` names a file, as flowlord's BackupPath did (`gs://bucket/tasks.db`): the backups go in its
 * folder, named after it (`tasks-<time>.db`). Parsing is separate from opening so config checks can report a bad
 * location without touching the disk or the network.
 */
import { basename, dirname, resolve } from "node:path";
import { type BucketAccess, parseBucketPrefix, schemeOf } from "../bucket/index.ts";
import { BackupLocationError } from "./errors.ts";
import { localTarget } from "./local.ts";
import { s3Target } from "./s3.ts";
import type { BackupLocation, BackupTarget } from "./types.ts";

const locations = "give a folder, s3://bucket/prefix or gs://bucket/prefix";

/** Reads a backup location; throws BackupLocationError saying what is wrong. A local path is made absolute. */
export function parseBackupLocation(text: string): BackupLocation {
  const given = text.trim();
  if (given === "") throw new BackupLocationError(text, `is empty; ${locations}`);
  const kind = schemeOf(given);
  if (kind === undefined) return localLocation(resolve(given), given.endsWith("/"));
  if (kind === "file") {
    const rest = given.slice("file://".length);
    if (!rest.startsWith("/"))
      throw new BackupLocationError(text, "a file:// location needs an absolute path");
    return localLocation(resolve(decodeURIComponent(rest)), rest.endsWith("/"));
  }
  if (kind !== "s3" && kind !== "gs") {
    throw new BackupLocationError(text, `"${kind}://" is not supported; ${locations}`);
  }
  const parsed = parseBucketPrefix(given);
  if ("error" in parsed) throw new BackupLocationError(text, parsed.error);
  const { bucket, key } = parsed.url;
  const named = fileNamed(key, given.endsWith("/"));
  const folder = named === undefined ? key : key.slice(0, key.lastIndexOf("/") + 1).replace(/\/$/, "");
  return {
    kind,
    bucket,
    prefix: folder === "" ? "" : `${folder}/`,
    ...(named === undefined ? {} : { baseName: named }),
  };
}

function localLocation(path: string, folder: boolean): BackupLocation {
  const named = fileNamed(basename(path), folder);
  return named === undefined
    ? { kind: "local", dir: path }
    : { kind: "local", dir: dirname(path), baseName: named };
}

/** The name before `.db` when the last part names a database file (not a folder given with a trailing "/"). */
function fileNamed(path: string, folder: boolean): string | undefined {
  if (folder) return undefined;
  const last = path.slice(path.lastIndexOf("/") + 1);
  const match = /^(.+)\.db$/i.exec(last);
  return match?.[1];
}

/** Opens the target a location names; `access` is only read for a bucket. */
export async function openTarget(text: string, access: BucketAccess): Promise<BackupTarget> {
  const location = parseBackupLocation(text);
  return location.kind === "local"
    ? localTarget(location.dir, location.baseName)
    : s3Target(location, access);
}
