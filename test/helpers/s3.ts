/**
 * An s3rver on loopback for the real AWS SDK client, that can be stopped and started again on the same port and
 * folder, to play an S3 outage. It also stands in for GCS's XML API, which is the S3 API (backups and meta-files).
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { BucketAccess, S3Config } from "../../internal/bucket/index.ts";

/** s3rver has no types; this is the part of its API the tests use. */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverServer;

export interface FakeS3 {
  readonly port: number;
  /** Settings for the real S3 client, pointed at this server. */
  readonly config: S3Config;
  /** Both stores' settings pointed at this server: GCS's XML API is the S3 API, so s3rver answers for gs:// too. */
  readonly access: BucketAccess;
  /** Stops answering (the port is closed); the objects stay in the folder. */
  stop(): Promise<void>;
  /** Answers again on the same port, with the same objects. */
  start(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 (a free port) with `bucket`, storing objects in `directory`. */
export async function startFakeS3(directory: string, bucket: string): Promise<FakeS3> {
  const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;
  const launch = async (port: number) => {
    const server = new S3rver({
      port,
      address: "127.0.0.1",
      silent: true,
      directory,
      configureBuckets: [{ name: bucket }],
    });
    const address = await server.run();
    return { server, port: address.port };
  };
  let running: S3rverServer | undefined;
  const first = await launch(0);
  running = first.server;
  const port = first.port;
  const config: S3Config = {
    endpoint: `http://127.0.0.1:${port}`,
    region: "",
    accessKey: "S3RVER",
    secretKey: "S3RVER",
    forcePathStyle: true,
  };
  return {
    port,
    config,
    access: {
      s3: config,
      gcs: { endpoint: config.endpoint, accessKey: config.accessKey, secretKey: config.secretKey },
    },
    async stop() {
      await running?.close();
      running = undefined;
    },
    async start() {
      running ??= (await launch(port)).server;
    },
  };
}
