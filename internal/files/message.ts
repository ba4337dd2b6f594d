/**
 * Messages on the files topic, in the three shapes producers send:
 *
 * - flowlord's stat JSON (its filewatcher, or anything that imitates it): `path`, `size`, `checksum`, `created`;
 * - a cloud storage object (a GCS notification's payload): `bucket` and `name` (or flowlord's `id` and `name`),
 *   `size` as a string, `md5Hash`, `timeCreated`;
 * - an S3 event notification: `Records[]` with `s3.bucket.name`, `s3.object.key` (URL-encoded), `size`, `eTag`
 *   and `eventTime`; only `ObjectCreated:*` records are files that arrived;
 * - a JSON array of stat objects: several files in one message, as taskmaster publishes the local files it notices
 *   together.
 *
 * Anything else is refused with a reason that says what was expected; flowlord turned garbage into an empty path
 * that matched nothing. So is a path that is relative or climbs with `..` (`filePath`).
 */
import { posix } from "node:path";
import { FileMessageError } from "../errors/index.ts";
import { namesStore } from "../rule/index.ts";

/** One file a message announces. `modified` is RFC 3339 (UTC) or "" when the producer gave no time. */
export interface FileNotice {
  readonly path: string;
  readonly size: number;
  readonly modified: string;
  readonly checksum: string;
  readonly format: FileFormat;
  /** Where it was noticed: a message from a producer, or taskmaster's own watcher or scan of a local path. */
  readonly source: FileSource;
}

export const FileSource = { topic: "topic", watch: "watch", scan: "scan" } as const;
export type FileSource = (typeof FileSource)[keyof typeof FileSource];

export const FileFormat = { stat: "stat", gcs: "gcs", s3: "s3" } as const;
export type FileFormat = (typeof FileFormat)[keyof typeof FileFormat];

/** A message larger than this is not a file notice (an S3 event with many records stays far below it). */
export const maxFileMessageBytes = 256 * 1024;

const decoder = new TextDecoder();
type Json = Record<string, unknown>;

/**
 * The files a message announces (several for an S3 event or an array). Throws `FileMessageError` naming what is
 * wrong.
 */
export function parseFileMessage(input: string | Uint8Array): FileNotice[] {
  const size = typeof input === "string" ? Buffer.byteLength(input) : input.byteLength;
  if (size > maxFileMessageBytes)
    throw new FileMessageError(`message is ${size} bytes, more than the limit of ${maxFileMessageBytes}`);
  const text = typeof input === "string" ? input : decoder.decode(input);
  if (text.trim() === "") throw new FileMessageError("message is empty");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FileMessageError(`not valid JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(value)) return fromStats(value);
  if (!isObject(value))
    throw new FileMessageError(`expected a JSON object or an array of stat objects, got ${kind(value)}`);
  if ("Records" in value) return fromS3Event(value);
  if (typeof value.name === "string" && (typeof value.bucket === "string" || typeof value.id === "string"))
    return [fromStorageObject(value)];
  if ("path" in value) return [fromStat(value)];
  throw new FileMessageError(
    'no file in it: expected flowlord\'s stat JSON ({"path": ...}), a cloud storage object ({"bucket": ..., "name": ...}) or an S3 event ({"Records": [...]})',
  );
}

function fromStats(values: unknown[]): FileNotice[] {
  if (values.length === 0) throw new FileMessageError("an empty array: no file in it");
  return values.map((value, i) => {
    if (!isObject(value) || !("path" in value))
      throw new FileMessageError(`[${i}]: expected a stat object ({"path": ...}), got ${kind(value)}`);
    try {
      return fromStat(value);
    } catch (err) {
      if (err instanceof FileMessageError) throw new FileMessageError(`[${i}].${err.message}`);
      throw err;
    }
  });
}

function fromStat(value: Json): FileNotice {
  const path = value.path;
  if (typeof path !== "string" || path.trim() === "")
    throw new FileMessageError(`path: must be a non-empty string, got ${kind(path)}`);
  if (value.isDir === true) throw new FileMessageError(`path: ${path} is a directory, not a file`);
  return {
    path: filePath(path, "path"),
    size: sizeOf(value.size, "size"),
    modified: timeOf(value.created, "created"),
    checksum: optionalString(value.checksum, "checksum"),
    format: FileFormat.stat,
    // taskmaster's own local arrivals say how they were noticed; everything else came from a producer.
    source:
      value.source === FileSource.watch || value.source === FileSource.scan ? value.source : FileSource.topic,
  };
}

function fromStorageObject(value: Json): FileNotice {
  const name = value.name as string;
  // flowlord read the bucket from the id, `bucket/name/generation`.
  const bucket =
    typeof value.bucket === "string" && value.bucket !== "" ? value.bucket : String(value.id).split("/")[0];
  if (!bucket) throw new FileMessageError("bucket: missing (and no id to take it from)");
  if (name === "") throw new FileMessageError("name: must not be empty");
  if (name.endsWith("/")) throw new FileMessageError(`name: ${name} is a folder, not an object`);
  return {
    path: filePath(`gs://${bucket}/${name}`, "name"),
    size: sizeOf(value.size, "size"),
    modified: timeOf(value.timeCreated ?? value.updated, "timeCreated"),
    checksum: optionalString(value.md5Hash, "md5Hash"),
    format: FileFormat.gcs,
    source: FileSource.topic,
  };
}

function fromS3Event(value: Json): FileNotice[] {
  const records = value.Records;
  if (!Array.isArray(records)) throw new FileMessageError(`Records: must be an array, got ${kind(records)}`);
  const notices: FileNotice[] = [];
  records.forEach((record: unknown, i) => {
    const at = `Records[${i}]`;
    if (!isObject(record)) throw new FileMessageError(`${at}: must be an object, got ${kind(record)}`);
    const event = typeof record.eventName === "string" ? record.eventName : "";
    if (!event.startsWith("ObjectCreated")) return; // deletions and the like: not an arrival
    const s3 = isObject(record.s3) ? record.s3 : {};
    const bucket = isObject(s3.bucket) ? s3.bucket.name : undefined;
    const object = isObject(s3.object) ? s3.object : {};
    if (typeof bucket !== "string" || bucket === "")
      throw new FileMessageError(`${at}.s3.bucket.name: must be a non-empty string, got ${kind(bucket)}`);
    if (typeof object.key !== "string" || object.key === "")
      throw new FileMessageError(`${at}.s3.object.key: must be a non-empty string, got ${kind(object.key)}`);
    notices.push({
      path: filePath(`s3://${bucket}/${decodeKey(object.key)}`, `${at}.s3.object.key`),
      size: sizeOf(object.size, `${at}.s3.object.size`),
      modified: timeOf(record.eventTime, `${at}.eventTime`),
      checksum: optionalString(object.eTag, `${at}.s3.object.eTag`),
      format: FileFormat.s3,
      source: FileSource.topic,
    });
  });
  if (notices.length === 0)
    throw new FileMessageError("Records: no ObjectCreated record, so no file arrived");
  return notices;
}

/**
 * The path triggers see. A local path is made canonical (`/data//in/./a.csv` is `/data/in/a.csv`), so it matches its
 * globs and is remembered under one name. A relative path has no place of its own, and a `..` segment climbs out of
 * the folder a glob names (`/data/../../etc/shadow.csv`, as written, is below `/data/**`): both are refused.
 * An object's key is kept as written (`a//b` and `a/b` are two objects), but a `..` in it is refused as well: a worker
 * that copies the object to a local path would climb out the same way.
 */
export function filePath(path: string, field: string): string {
  const store = namesStore(path);
  const rest = store ? path.slice(path.indexOf("://") + 3) : path;
  if (rest.split("/").includes(".."))
    throw new FileMessageError(
      `${field}: ${path} has a ".." segment: a file's path must not climb out of a folder`,
    );
  if (store) return path;
  if (!path.startsWith("/"))
    throw new FileMessageError(
      `${field}: ${path} is relative: a file's path must be absolute (/data/in/a.csv) or name its store (gs://bucket/a.csv)`,
    );
  return posix.normalize(path);
}

/** S3 writes keys form-encoded: `+` for a space, `%XX` for the rest. */
function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replaceAll("+", " "));
  } catch {
    throw new FileMessageError(`s3.object.key: ${key} is not a valid URL-encoded key`);
  }
}

/** Sizes come as numbers (stat, S3) or decimal strings (GCS); missing is 0, as flowlord. */
function sizeOf(value: unknown, field: string): number {
  if (value === undefined || value === null || value === "") return 0;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
    throw new FileMessageError(`${field}: must be a whole number of bytes, got ${kind(value)}`);
  return n;
}

/** An RFC 3339 time, normalised to UTC; Go's zero time and a missing value are "". */
function timeOf(value: unknown, field: string): string {
  if (value === undefined || value === null || value === "") return "";
  if (typeof value !== "string")
    throw new FileMessageError(`${field}: must be an RFC 3339 time, got ${kind(value)}`);
  if (value.startsWith("0001-01-01")) return "";
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new FileMessageError(`${field}: must be an RFC 3339 time, got "${clip(value)}"`);
  return new Date(ms).toISOString();
}

function optionalString(value: unknown, field: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new FileMessageError(`${field}: must be a string, got ${kind(value)}`);
  return value;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${clip(JSON.stringify(value))}`;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
