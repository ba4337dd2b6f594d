/**
 * Bucket URLs (pure): `s3://bucket/key` and `gs://bucket/key`, checked against each store's rules for bucket names,
 * so a bad URL is reported where it is written (a rule, a config key) rather than by the store at run time.
 */

export const bucketSchemes = ["s3", "gs"] as const;
export type BucketScheme = (typeof bucketSchemes)[number];

export interface BucketUrl {
  readonly scheme: BucketScheme;
  readonly bucket: string;
  /** The object key or key prefix: the text after `bucket/`, "" when there is none. */
  readonly key: string;
}

export type BucketUrlResult = { readonly url: BucketUrl } | { readonly error: string };

const schemePart = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The scheme of a URL (lower case), or undefined for a plain path. */
export function schemeOf(text: string): string | undefined {
  return schemePart.exec(text)?.[1]?.toLowerCase();
}

/** True when `text` starts with `s3://` or `gs://` (any case): it names objects in a bucket, not a local file. */
export function isBucketUrl(text: string): boolean {
  const scheme = schemeOf(text);
  return scheme === "s3" || scheme === "gs";
}

/** Reads `s3://bucket/key` or `gs://bucket/key`; the error says what is wrong and how to write it. */
export function parseBucketUrl(text: string): BucketUrlResult {
  const scheme = schemeOf(text);
  if (scheme !== "s3" && scheme !== "gs") {
    const given = scheme === undefined ? "no scheme" : `"${scheme}://"`;
    return { error: `${given}: expected s3://bucket/key or gs://bucket/key` };
  }
  const rest = text.slice(`${scheme}://`.length);
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (bucket === "") return { error: `has no bucket; write ${scheme}://bucket/key` };
  const problem = bucketNameProblem(scheme, bucket);
  if (problem !== undefined) return { error: problem };
  return { url: { scheme, bucket, key: slash < 0 ? "" : rest.slice(slash + 1) } };
}

/**
 * Reads a place for objects, `s3://bucket/a/b` or `gs://bucket/a/b/`: like a URL, and its key is a path of plain
 * parts (no empty, "." or ".." part, no "?" or "#"); the key comes back without a trailing "/".
 */
export function parseBucketPrefix(text: string): BucketUrlResult {
  const parsed = parseBucketUrl(text);
  if ("error" in parsed) return parsed;
  const { key } = parsed.url;
  if (/[?#]/.test(key)) return { error: "a prefix cannot hold '?' or '#'" };
  const parts = key === "" ? [] : key.replace(/\/$/, "").split("/");
  if (parts.some((s) => s === "" || s === "." || s === "..")) {
    return { error: `prefix "${key}" has an empty, "." or ".." part` };
  }
  return { url: { ...parsed.url, key: parts.join("/") } };
}

/** `url` written back as text. */
export function formatBucketUrl(url: BucketUrl): string {
  return `${url.scheme}://${url.bucket}/${url.key}`;
}

/**
 * S3: 3-63 characters of a-z, 0-9, "." and "-", starting and ending with a letter or digit. GCS also takes "_",
 * and up to 222 characters when the name has dots, each dot-separated part at most 63.
 */
function bucketNameProblem(scheme: BucketScheme, bucket: string): string | undefined {
  const rules =
    scheme === "s3"
      ? '3-63 characters: lowercase letters, digits, "." and "-"'
      : '3-63 characters (222 with dots): lowercase letters, digits, ".", "-" and "_"';
  const shape =
    scheme === "s3" ? /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/ : /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
  const longPart = bucket.split(".").some((part) => part.length > 63);
  const tooLong = scheme === "gs" && !bucket.includes(".") && bucket.length > 63;
  if (!shape.test(bucket) || bucket.includes("..") || longPart || tooLong) {
    return `"${bucket}" is not a valid ${scheme === "s3" ? "S3" : "GCS"} bucket name (${rules})`;
  }
  return undefined;
}
