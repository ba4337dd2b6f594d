import { describe, expect, it } from "vitest";
import { type BucketAccess, clientSettings, missingAccess } from "./access.ts";
import { isBucketUrl, parseBucketPrefix, parseBucketUrl } from "./url.ts";

const none: BucketAccess = {
  s3: { endpoint: "", region: "", accessKey: "", secretKey: "", forcePathStyle: false },
  gcs: { endpoint: "https://storage.googleapis.com", accessKey: "", secretKey: "" },
};

describe("bucket URLs", () => {
  it.each([
    ["s3://my-bucket/a/rows.ndjson", { scheme: "s3", bucket: "my-bucket", key: "a/rows.ndjson" }],
    ["S3://my.bucket/x", { scheme: "s3", bucket: "my.bucket", key: "x" }],
    ["gs://my_bucket/rows/*.csv", { scheme: "gs", bucket: "my_bucket", key: "rows/*.csv" }],
    ["gs://bucket", { scheme: "gs", bucket: "bucket", key: "" }],
  ])("reads %j", (text, url) => {
    expect(parseBucketUrl(text)).toEqual({ url });
    expect(isBucketUrl(text)).toBe(true);
  });

  it.each([
    ["rows.ndjson", /no scheme/],
    ["mc://bucket/x", /"mc:\/\/": expected s3:\/\/bucket\/key or gs:\/\/bucket\/key/],
    ["s3:///x", /has no bucket/],
    ["s3://my_bucket/x", /not a valid S3 bucket name/],
    ["gs://-bucket/x", /not a valid GCS bucket name/],
    [`gs://${"a".repeat(64)}/x`, /not a valid GCS bucket name/],
  ])("refuses %j", (text, message) => {
    const parsed = parseBucketUrl(text);
    expect("error" in parsed && parsed.error).toMatch(message);
  });

  it("takes a prefix of plain parts, without its trailing slash", () => {
    expect(parseBucketPrefix("gs://bucket/a/b/")).toEqual({
      url: { scheme: "gs", bucket: "bucket", key: "a/b" },
    });
    expect(parseBucketPrefix("s3://bucket/a//b")).toEqual({
      error: 'prefix "a//b" has an empty, "." or ".." part',
    });
    expect(parseBucketPrefix("s3://bucket/a?b")).toEqual({ error: "a prefix cannot hold '?' or '#'" });
  });

  it("tells a local path or another scheme from a bucket URL", () => {
    expect(isBucketUrl("/data/rows.ndjson")).toBe(false);
    expect(isBucketUrl("file:///data/rows.ndjson")).toBe(false);
    expect(isBucketUrl("s3:/bucket/rows")).toBe(false);
  });
});

describe("clientSettings", () => {
  it("uses us-east-1, the default credentials and AWS's endpoint for s3:// when those are not set", () => {
    const config = clientSettings("s3", none);
    expect(config).toMatchObject({ region: "us-east-1", forcePathStyle: false });
    expect(config).not.toHaveProperty("endpoint");
    expect(config).not.toHaveProperty("credentials");
  });

  it("uses the endpoint, region and keys given for s3://", () => {
    const s3 = { endpoint: "http://minio:9000", region: "eu-west-1", accessKey: "AK", secretKey: "SK" };
    const config = clientSettings("s3", { ...none, s3: { ...s3, forcePathStyle: true } });
    expect(config).toMatchObject({
      endpoint: "http://minio:9000",
      region: "eu-west-1",
      credentials: { accessKeyId: "AK", secretAccessKey: "SK" },
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  });

  it("reaches gs:// through GCS's XML API with the HMAC key, by path", () => {
    const gcs = { endpoint: "https://storage.googleapis.com", accessKey: "GOOG1E", secretKey: "hmac" };
    expect(clientSettings("gs", { ...none, gcs })).toMatchObject({
      endpoint: "https://storage.googleapis.com",
      region: "auto",
      credentials: { accessKeyId: "GOOG1E", secretAccessKey: "hmac" },
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
  });
});

describe("missingAccess", () => {
  it("asks for the HMAC key for gs://, naming the keys and variables", () => {
    expect(missingAccess("gs", none)).toBe(
      "gs:// is read through GCS's XML API with an HMAC key: set cache.gcs.access_key and cache.gcs.secret_key " +
        "(TASKMASTER_CACHE_GCS_ACCESS_KEY, TASKMASTER_CACHE_GCS_SECRET_KEY)",
    );
    const half = { ...none, gcs: { ...none.gcs, accessKey: "GOOG1E" } };
    expect(missingAccess("gs", half)).toMatch(/set cache.gcs.access_key and cache.gcs.secret_key/);
    const both = { ...none, gcs: { ...none.gcs, accessKey: "GOOG1E", secretKey: "hmac" } };
    expect(missingAccess("gs", both)).toBeUndefined();
  });

  it("leaves s3:// without keys to the AWS SDK's own chain, but not half a key", () => {
    expect(missingAccess("s3", none)).toBeUndefined();
    const half = { ...none, s3: { ...none.s3, accessKey: "AK" } };
    expect(missingAccess("s3", half)).toMatch(/cache.s3.access_key is set without cache.s3.secret_key/);
  });
});
