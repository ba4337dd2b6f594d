import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBucketClient } from "../../internal/bucket/index.ts";
import { remoteMetaFiles } from "../../internal/metafiles/remote.ts";
import { type FakeS3, startFakeS3 } from "../helpers/s3.ts";

let root: string;
let s3: FakeS3;
let client: S3Client;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "taskmaster-metafiles-"));
  s3 = await startFakeS3(join(root, "s3rver"), "meta");
  client = await openBucketClient("s3", s3.access);
});
afterAll(async () => {
  client.destroy();
  await s3.stop();
  rmSync(root, { recursive: true, force: true });
});

const put = (key: string, body: string | Uint8Array) =>
  client.send(new PutObjectCommand({ Bucket: "meta", Key: key, Body: body }));

/** The rows as plain objects, or the error's message. */
async function read(files: ReturnType<typeof remoteMetaFiles>, pattern: string) {
  const got = (await files.fetch([pattern])).get(pattern);
  return got instanceof Error ? got.message : got?.map((row) => Object.fromEntries(row));
}

describe("remote meta-files (s3rver, the real S3 client)", () => {
  it("reads NDJSON from s3:// and gzipped CSV from gs:// (GCS's XML API is the S3 API)", async () => {
    await put("a/customers.ndjson", '{"id":1,"name":"ann"}\n{"id":2,"name":"bob"}\n');
    await put("a/regions.csv.gz", gzipSync("region,zone\neu,1\nus,2\n"));
    const files = remoteMetaFiles({ access: s3.access });
    try {
      const fetched = await files.fetch([
        "s3://meta/a/customers.ndjson",
        "gs://meta/a/regions.csv.gz",
        "local.csv",
      ]);
      expect([...fetched.keys()]).toEqual(["s3://meta/a/customers.ndjson", "gs://meta/a/regions.csv.gz"]);
      expect(await read(files, "s3://meta/a/customers.ndjson")).toEqual([
        { id: "1", name: "ann" },
        { id: "2", name: "bob" },
      ]);
      expect(await read(files, "gs://meta/a/regions.csv.gz")).toEqual([
        { region: "eu", zone: "1" },
        { region: "us", zone: "2" },
      ]);
    } finally {
      files.close();
    }
  });

  it("reuses a read for a while, then asks again and downloads only a changed file", async () => {
    let t = 0;
    const files = remoteMetaFiles({ access: s3.access, reuseMs: 1000, now: () => t });
    try {
      await put("b/rows.ndjson", '{"n":1}\n');
      const first = (await files.fetch(["s3://meta/b/rows.ndjson"])).get("s3://meta/b/rows.ndjson");
      expect(first).toEqual([new Map([["n", "1"]])]);
      t = 1500; // unchanged: the store answers 304, and the rows read before are used, not parsed again
      const again = (await files.fetch(["s3://meta/b/rows.ndjson"])).get("s3://meta/b/rows.ndjson");
      expect(Array.isArray(again) && Array.isArray(first) && again[0] === first[0]).toBe(true);
      await put("b/rows.ndjson", '{"n":2}\n');
      t = 1600; // changed, but the read is still fresh
      expect(await read(files, "s3://meta/b/rows.ndjson")).toEqual([{ n: "1" }]);
      t = 3000;
      expect(await read(files, "s3://meta/b/rows.ndjson")).toEqual([{ n: "2" }]);
    } finally {
      files.close();
    }
  });

  it("reads a glob's objects in name order, matching the whole URL as files= does", async () => {
    await put("c/2024/02.ndjson", '{"m":"feb"}\n');
    await put("c/2024/01.ndjson", '{"m":"jan"}\n');
    await put("c/2024/notes.txt", "not rows\n");
    await put("c/2024/deeper/03.ndjson", '{"m":"mar"}\n');
    const files = remoteMetaFiles({ access: s3.access });
    try {
      expect(await read(files, "s3://meta/c/2024/*.ndjson")).toEqual([{ m: "jan" }, { m: "feb" }]);
      expect(await read(files, "s3://meta/c/**/*.ndjson")).toEqual([
        { m: "jan" },
        { m: "feb" },
        { m: "mar" },
      ]);
      expect(await read(files, "s3://meta/c/2023/*.ndjson")).toBe(
        "no files found for s3://meta/c/2023/*.ndjson",
      );
    } finally {
      files.close();
    }
  });

  it("says which file failed and why: missing, bad rows, no keys, the store down", async () => {
    await put("d/bad.ndjson", '{"ok":1}\nnot json\n');
    const files = remoteMetaFiles({ access: s3.access });
    const noKeys = remoteMetaFiles({ access: { ...s3.access, gcs: { ...s3.access.gcs, secretKey: "" } } });
    try {
      expect(await read(files, "s3://meta/d/missing.ndjson")).toBe(
        "no files found for s3://meta/d/missing.ndjson",
      );
      expect(await read(files, "s3://meta/d/bad.ndjson")).toMatch(
        /^s3:\/\/meta\/d\/bad.ndjson:2: not valid JSON/,
      );
      expect(await read(noKeys, "gs://meta/d/bad.ndjson")).toBe(
        "gs://meta/d/bad.ndjson cannot be read: gs:// is read through GCS's XML API with an HMAC key: " +
          "set cache.gcs.access_key and cache.gcs.secret_key " +
          "(TASKMASTER_CACHE_GCS_ACCESS_KEY, TASKMASTER_CACHE_GCS_SECRET_KEY)",
      );
      await s3.stop();
      expect(await read(files, "s3://meta/d/other.ndjson")).toMatch(
        /^s3:\/\/meta\/d\/other.ndjson: cannot read \(.*ECONNREFUSED.*\)$/,
      );
    } finally {
      await s3.start();
      files.close();
      noKeys.close();
    }
  });
});
