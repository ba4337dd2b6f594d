/** The three shapes of files-topic messages, and garbage refused with a reason. */
import { describe, expect, it } from "vitest";
import { FileMessageError } from "../errors/index.ts";
import { parseFileMessage } from "./message.ts";

// The GCS object of flowlord's files_test.go (§10.6 of the reference).
const gcsObject = {
  kind: "storage#object",
  id: "gcp-project/task/path/2021/11/17/21/16/20211117T2116-0015bf8f.json.gz/1637191065997043",
  name: "task/path/2021/11/17/21/16/20211117T2116-0015bf8f.json.gz",
  bucket: "gcp-project",
  size: "14725896",
  md5Hash: "wDJDr49QUgrsBzXoUCBqpQ==",
  timeCreated: "2021-11-17T23:17:45.997Z",
  updated: "2021-11-17T23:17:45.997Z",
};

const s3Event = {
  Records: [
    {
      eventName: "ObjectCreated:Put",
      eventTime: "2024-03-05T10:20:30.123Z",
      s3: {
        bucket: { name: "lake" },
        object: {
          key: "in/2024/03/05/sales+report%282%29.csv",
          size: 2048,
          eTag: "9b2cf535f27731c974343645a3985328",
        },
      },
    },
    { eventName: "ObjectRemoved:Delete", s3: { bucket: { name: "lake" }, object: { key: "old.csv" } } },
  ],
};

const refusal = (input: string) => {
  try {
    parseFileMessage(input);
  } catch (err) {
    expect(err).toBeInstanceOf(FileMessageError);
    return (err as Error).message;
  }
  throw new Error(`accepted: ${input}`);
};

describe("parseFileMessage", () => {
  it("reads flowlord's stat JSON as it is", () => {
    const stat = {
      linecnt: 10,
      bytecnt: 300,
      size: 300,
      checksum: "abc",
      path: "/data/in/2024/01/15/a.csv",
      created: "2024-01-15T03:04:05Z",
      isDir: false,
    };
    expect(parseFileMessage(JSON.stringify(stat))).toEqual([
      {
        path: "/data/in/2024/01/15/a.csv",
        size: 300,
        modified: "2024-01-15T03:04:05.000Z",
        checksum: "abc",
        format: "stat",
        source: "topic",
      },
    ]);
  });

  it("reads a cloud storage object as flowlord did: gs:// path, size from a string, md5, created time", () => {
    expect(parseFileMessage(new TextEncoder().encode(JSON.stringify(gcsObject)))).toEqual([
      {
        path: "gs://gcp-project/task/path/2021/11/17/21/16/20211117T2116-0015bf8f.json.gz",
        size: 14725896,
        modified: "2021-11-17T23:17:45.997Z",
        checksum: "wDJDr49QUgrsBzXoUCBqpQ==",
        format: "gcs",
        source: "topic",
      },
    ]);
    const { bucket: _, ...withoutBucket } = gcsObject;
    expect(parseFileMessage(JSON.stringify(withoutBucket))[0]?.path).toMatch(/^gs:\/\/gcp-project\/task\//);
  });

  it("reads the created objects of an S3 event, with the key decoded", () => {
    expect(parseFileMessage(JSON.stringify(s3Event))).toEqual([
      {
        path: "s3://lake/in/2024/03/05/sales report(2).csv",
        size: 2048,
        modified: "2024-03-05T10:20:30.123Z",
        checksum: "9b2cf535f27731c974343645a3985328",
        format: "s3",
        source: "topic",
      },
    ]);
  });

  it("reads an array of stat objects as several files, each with how it was noticed", () => {
    const stats = [
      { path: "/in/a.csv", size: 1, created: "2024-01-15T03:04:05Z", source: "watch" },
      { path: "/in//b.csv", size: 2, created: "2024-01-15T03:04:06Z", source: "scan" },
    ];
    expect(parseFileMessage(JSON.stringify(stats))).toEqual([
      {
        path: "/in/a.csv",
        size: 1,
        modified: "2024-01-15T03:04:05.000Z",
        checksum: "",
        format: "stat",
        source: "watch",
      },
      {
        path: "/in/b.csv",
        size: 2,
        modified: "2024-01-15T03:04:06.000Z",
        checksum: "",
        format: "stat",
        source: "scan",
      },
    ]);
  });

  it("takes a missing size or time as 0 and empty, and Go's zero time as empty", () => {
    const [notice] = parseFileMessage('{"path":"gs://b/x.txt","created":"0001-01-01T00:00:00Z"}');
    expect(notice).toMatchObject({ path: "gs://b/x.txt", size: 0, modified: "" });
  });

  it("gives a local path in its canonical form, and keeps an object's key as written", () => {
    const pathOf = (message: unknown) => parseFileMessage(JSON.stringify(message))[0]?.path;
    expect(pathOf({ path: "//data//in/./2024/a.csv" })).toBe("/data/in/2024/a.csv");
    expect(pathOf({ path: "gs://b/in//./x.csv" })).toBe("gs://b/in//./x.csv");
    expect(pathOf({ bucket: "b", name: "in//x.csv" })).toBe("gs://b/in//x.csv");
  });

  it("refuses a relative path and one that climbs with .., in every form", () => {
    expect(refusal('{"path":"/data/../../etc/shadow.csv"}')).toBe(
      'path: /data/../../etc/shadow.csv has a ".." segment: a file\'s path must not climb out of a folder',
    );
    expect(refusal('{"path":"/data/in/.."}')).toMatch(/^path: \/data\/in\/\.\. has a "\.\." segment/);
    expect(refusal('{"path":"gs://b/in/../x.csv"}')).toMatch(
      /^path: gs:\/\/b\/in\/\.\.\/x\.csv has a "\.\."/,
    );
    expect(refusal('{"bucket":"b","name":"in/../../x.csv"}')).toMatch(
      /^name: gs:\/\/b\/in\/\.\.\/\.\.\/x\.csv has/,
    );
    const s3 = (key: string) =>
      JSON.stringify({
        Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: "b" }, object: { key } } }],
      });
    // The key is URL-decoded first, so an encoded `..` is caught as well.
    expect(refusal(s3("in/%2E%2E/x.csv"))).toBe(
      'Records[0].s3.object.key: s3://b/in/../x.csv has a ".." segment: a file\'s path must not climb out of a folder',
    );
    expect(refusal('{"path":"data/in/a.csv"}')).toBe(
      "path: data/in/a.csv is relative: a file's path must be absolute (/data/in/a.csv) or name its store (gs://bucket/a.csv)",
    );
    expect(refusal('{"path":"./a.csv"}')).toMatch(/^path: \.\/a\.csv is relative/);
    // A name with dots in it is no `..` segment.
    expect(parseFileMessage('{"path":"/data/..a/b..csv"}')[0]?.path).toBe("/data/..a/b..csv");
  });

  it("refuses garbage with a reason that says what was expected", () => {
    expect(refusal("")).toBe("message is empty");
    expect(refusal("{not json")).toMatch(/^not valid JSON: /);
    expect(refusal("42")).toBe("expected a JSON object or an array of stat objects, got number 42");
    expect(refusal("[]")).toBe("an empty array: no file in it");
    expect(refusal('[{"path":"/a"},1]')).toBe('[1]: expected a stat object ({"path": ...}), got number 1');
    expect(refusal('[{"path":"/a"},{"path":"/b","size":"big"}]')).toBe(
      '[1].size: must be a whole number of bytes, got string "big"',
    );
    expect(refusal('{"hello":"world"}')).toMatch(/^no file in it: expected flowlord's stat JSON/);
    expect(refusal('{"path":""}')).toBe('path: must be a non-empty string, got string ""');
    expect(refusal('{"path":42}')).toBe("path: must be a non-empty string, got number 42");
    expect(refusal('{"path":"/d","isDir":true}')).toBe("path: /d is a directory, not a file");
    expect(refusal('{"path":"/a","size":-1}')).toBe("size: must be a whole number of bytes, got number -1");
    expect(refusal('{"path":"/a","created":"yesterday"}')).toBe(
      'created: must be an RFC 3339 time, got "yesterday"',
    );
    expect(refusal('{"bucket":"b","name":"dir/"}')).toBe("name: dir/ is a folder, not an object");
    expect(refusal('{"Records":[{"eventName":"ObjectRemoved:Delete"}]}')).toBe(
      "Records: no ObjectCreated record, so no file arrived",
    );
    expect(
      refusal('{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{}}}]}'),
    ).toBe("Records[0].s3.object.key: must be a non-empty string, got nothing");
    expect(refusal(JSON.stringify({ path: "x".repeat(300_000) }))).toMatch(/more than the limit of 262144$/);
  });
});
