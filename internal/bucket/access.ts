/**
 * How a bucket is reached (pure): the S3 client's settings for `s3://` (AWS, or any S3-compatible store through
 * `cache.s3.endpoint`) and for `gs://` (Google Cloud Storage through its S3-compatible XML API, signed with an HMAC
 * key), and what is missing before one can be reached at all.
 */
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { BucketScheme } from "./url.ts";

/** An S3 store (`[cache.s3]`): AWS unless `endpoint` names an S3-compatible one. */
export interface S3Config {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly forcePathStyle: boolean;
}

/** Google Cloud Storage through its S3-compatible XML API, signed with an HMAC key of a service account. */
export interface GcsConfig {
  /** The XML API's endpoint: https://storage.googleapis.com unless another is given. */
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

/** The settings of both stores: the config's `[cache.s3]` and `[cache.gcs]`. */
export interface BucketAccess {
  readonly s3: S3Config;
  readonly gcs: GcsConfig;
}

/** The client settings for `scheme`; call `missingAccess` first, a gs:// client without keys cannot sign. */
export function clientSettings(scheme: BucketScheme, access: BucketAccess): S3ClientConfig {
  const common: S3ClientConfig = {
    // Newer SDKs send CRC checksums in aws-chunked trailers, which many S3-compatible stores (GCS among them) do
    // not accept. Backups are read back and compared by sha256 anyway, which covers what those checksums would.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  if (scheme === "gs") {
    const { endpoint, accessKey, secretKey } = access.gcs;
    // The XML API signs with SigV4 for any region name; "auto" is what Google's own samples use. Buckets are
    // addressed by path, which works for every bucket name (dotted ones too) and for any endpoint.
    return {
      ...common,
      region: "auto",
      endpoint,
      credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
      forcePathStyle: true,
    };
  }
  const s3 = access.s3;
  return {
    ...common,
    region: s3.region === "" ? "us-east-1" : s3.region,
    ...(s3.endpoint === "" ? {} : { endpoint: s3.endpoint }),
    ...(s3.accessKey === ""
      ? {}
      : { credentials: { accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey } }),
    forcePathStyle: s3.forcePathStyle,
  };
}

/**
 * What must be set before `scheme` can be reached, or undefined when nothing is missing. S3 without keys uses the
 * AWS SDK's own chain (AWS_* variables, a profile, an instance role); GCS's XML API takes only an HMAC key.
 */
export function missingAccess(scheme: BucketScheme, access: BucketAccess): string | undefined {
  if (scheme === "gs") {
    const { accessKey, secretKey } = access.gcs;
    if (accessKey !== "" && secretKey !== "") return undefined;
    return (
      "gs:// is read through GCS's XML API with an HMAC key: set cache.gcs.access_key and cache.gcs.secret_key " +
      "(TASKMASTER_CACHE_GCS_ACCESS_KEY, TASKMASTER_CACHE_GCS_SECRET_KEY)"
    );
  }
  const { accessKey, secretKey } = access.s3;
  if ((accessKey === "") === (secretKey === "")) return undefined;
  return accessKey === ""
    ? "cache.s3.secret_key is set without cache.s3.access_key: set both, or neither for the AWS SDK's own chain"
    : "cache.s3.access_key is set without cache.s3.secret_key: set both, or neither for the AWS SDK's own chain";
}
