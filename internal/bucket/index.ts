/**
 * Objects in buckets, named by `s3://` and `gs://` URLs, reached through the AWS SDK's S3 client: AWS or any
 * S3-compatible store for `s3://`, Google Cloud Storage through its S3-compatible XML API for `gs://`. URL parsing
 * and client settings are pure; `openBucketClient` loads the SDK.
 */

export { type BucketAccess, clientSettings, type GcsConfig, missingAccess, type S3Config } from "./access.ts";
export { BucketAccessError, openBucketClient, s3Sdk } from "./client.ts";
export {
  type BucketScheme,
  type BucketUrl,
  type BucketUrlResult,
  bucketSchemes,
  formatBucketUrl,
  isBucketUrl,
  parseBucketPrefix,
  parseBucketUrl,
  schemeOf,
} from "./url.ts";
