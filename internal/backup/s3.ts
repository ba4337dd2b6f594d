/**
 * Backups under an S3 prefix (AWS, or any S3-compatible store through `endpoint`). A PutObject is atomic on S3's
 * side: an object is either there whole or not at all, so no temp names are needed here.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type {
  ListObjectsV2CommandInput,
  ListObjectsV2CommandOutput,
  S3ClientConfig,
} from "@aws-sdk/client-s3";
import type { S3Config } from "../config/types.ts";
import type { BackupLocation, BackupTarget, StoredObject } from "./types.ts";

type S3Location = Extract<BackupLocation, { kind: "s3" }>;

/** The client settings for `s3`: a custom endpoint when set, us-east-1 when no region is, static keys when given. */
export function s3ClientConfig(s3: S3Config): S3ClientConfig {
  return {
    region: s3.region === "" ? "us-east-1" : s3.region,
    ...(s3.endpoint === "" ? {} : { endpoint: s3.endpoint }),
    ...(s3.accessKey === ""
      ? {}
      : { credentials: { accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey } }),
    forcePathStyle: s3.forcePathStyle,
    // Newer SDKs send CRC checksums in aws-chunked trailers, which many S3-compatible stores do not accept. Every
    // backup is read back and compared by sha256 anyway, which covers what those checksums would.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
}

/**
 * The AWS SDK, loaded when the first S3 target is opened, not with the service: loading it costs about 20 MiB of
 * memory, and a service that backs up to a folder, or not at all, never needs it.
 */
let sdk: Promise<typeof import("@aws-sdk/client-s3")> | undefined;

/** A target for `s3://bucket/prefix`; creates no bucket (that is the operator's choice of policy and region). */
export async function s3Target(location: S3Location, s3: S3Config): Promise<BackupTarget> {
  sdk ??= import("@aws-sdk/client-s3");
  const { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } =
    await sdk;
  const client = new S3Client(s3ClientConfig(s3));
  const { bucket, prefix } = location;
  const key = (name: string) => `${prefix}${checkName(name)}`;
  return {
    describe: `s3://${bucket}/${prefix}`,
    async put(name, file) {
      const { size } = await stat(file);
      // A stream with its length goes up in one PutObject without being read into memory first.
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key(name),
          Body: createReadStream(file),
          ContentLength: size,
        }),
      );
    },
    async get(name, dest) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(name) }));
      if (!(out.Body instanceof Readable))
        throw new Error(`s3://${bucket}/${key(name)}: no body in the response`);
      try {
        await pipeline(out.Body, createWriteStream(dest));
      } catch (err) {
        await rm(dest, { force: true });
        throw err;
      }
    },
    list: () => listAll((input) => client.send(new ListObjectsV2Command(input)), bucket, prefix),
    async remove(name) {
      // S3 answers a delete of a missing key with success, which is what the interface promises.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(name) }));
    },
    close() {
      client.destroy();
    },
  };
}

/** One ListObjectsV2 call; passed in so paging can be tested without a store that pages. */
export type ListPage = (input: ListObjectsV2CommandInput) => Promise<ListObjectsV2CommandOutput>;

/** Every object directly under `prefix` (not in "sub-folders"), following continuation tokens. */
export async function listAll(listPage: ListPage, bucket: string, prefix: string): Promise<StoredObject[]> {
  const found: StoredObject[] = [];
  let token: string | undefined;
  do {
    const page = await listPage({ Bucket: bucket, Prefix: prefix, Delimiter: "/", ContinuationToken: token });
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      found.push({ name: object.Key.slice(prefix.length), size: object.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return found;
}

/** A name is one key part: a target never writes outside its prefix. */
function checkName(name: string): string {
  if (name === "" || name.includes("/")) {
    throw new RangeError(`backup name ${JSON.stringify(name)} is not a plain file name`);
  }
  return name;
}
