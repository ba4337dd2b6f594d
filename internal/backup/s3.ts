/**
 * Backups under a bucket prefix: `s3://` (AWS, or any S3-compatible store through `cache.s3.endpoint`) or `gs://`
 * (Google Cloud Storage through its S3-compatible XML API), both through the AWS SDK's S3 client. A PutObject is
 * atomic on the store's side: an object is either there whole or not at all, so no temp names are needed here.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ListObjectsV2CommandInput, ListObjectsV2CommandOutput } from "@aws-sdk/client-s3";
import { type BucketAccess, openBucketClient, s3Sdk } from "../bucket/index.ts";
import { defaultBaseName } from "./names.ts";
import type { BackupLocation, BackupTarget, StoredObject } from "./types.ts";

type BucketLocation = Extract<BackupLocation, { kind: "s3" | "gs" }>;

/** A target for `s3://bucket/prefix` or `gs://bucket/prefix`; creates no bucket (the operator's choice of policy). */
export async function s3Target(location: BucketLocation, access: BucketAccess): Promise<BackupTarget> {
  const { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } = await s3Sdk();
  const client = await openBucketClient(location.kind, access);
  const { bucket, prefix } = location;
  const describe = `${location.kind}://${bucket}/${prefix}`;
  const key = (name: string) => `${prefix}${checkName(name)}`;
  return {
    describe,
    baseName: location.baseName ?? defaultBaseName,
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
      if (!(out.Body instanceof Readable)) throw new Error(`${describe}${name}: no body in the response`);
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
