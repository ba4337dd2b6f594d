// Listing an S3 prefix page by page. s3rver cannot page (its continuation tokens use DES, which OpenSSL 3
// refuses), so the pages come from a stand-in for ListObjectsV2 here; test/backup/s3.test.ts runs the rest against
// s3rver.
import type { ListObjectsV2CommandInput } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { type ListPage, listAll } from "./s3.ts";

describe("S3 listing", () => {
  it("follows continuation tokens to the last page", async () => {
    const keys = ["p/a", "p/b", "p/c", "p/d", "p/e"];
    const inputs: ListObjectsV2CommandInput[] = [];
    const listPage: ListPage = async (input) => {
      inputs.push(input);
      const from = Number(input.ContinuationToken ?? 0);
      const more = from + 2 < keys.length;
      return {
        $metadata: {},
        Contents: keys.slice(from, from + 2).map((Key) => ({ Key, Size: 1 })),
        IsTruncated: more,
        ...(more ? { NextContinuationToken: String(from + 2) } : {}),
      };
    };
    expect((await listAll(listPage, "bucket", "p/")).map((o) => o.name)).toEqual(["a", "b", "c", "d", "e"]);
    expect(inputs.map((i) => i.ContinuationToken)).toEqual([undefined, "2", "4"]);
    expect(inputs[0]).toMatchObject({ Bucket: "bucket", Prefix: "p/", Delimiter: "/" });
  });
});
