/**
 * The S3 client for a bucket URL's scheme. The AWS SDK is loaded when the first client is made, not with the
 * service: loading it costs about 20 MiB of memory, and a service that never reaches a bucket never needs it.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { type BucketAccess, clientSettings, missingAccess } from "./access.ts";
import type { BucketScheme } from "./url.ts";

let sdk: Promise<typeof import("@aws-sdk/client-s3")> | undefined;

/** The AWS SDK's S3 module, loaded once. */
export function s3Sdk(): Promise<typeof import("@aws-sdk/client-s3")> {
  sdk ??= import("@aws-sdk/client-s3");
  return sdk;
}

/** A store that cannot be reached as configured: the message names the keys to set. */
export class BucketAccessError extends Error {
  override readonly name = "BucketAccessError";
}

/** A client for `scheme`; throws BucketAccessError when its settings are missing. Destroy it when done. */
export async function openBucketClient(scheme: BucketScheme, access: BucketAccess): Promise<S3Client> {
  const missing = missingAccess(scheme, access);
  if (missing !== undefined) throw new BucketAccessError(missing);
  const { S3Client } = await s3Sdk();
  return new S3Client(clientSettings(scheme, access));
}
