import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { staleBackups } from "./backup.ts";
import { BackupLocationError } from "./errors.ts";
import { backupNameAt, backupTime, catalog, nextBackupName } from "./names.ts";
import { parseBackupLocation } from "./target.ts";

describe("parseBackupLocation", () => {
  it.each([
    ["/var/lib/taskmaster/backups", { kind: "local", dir: "/var/lib/taskmaster/backups" }],
    ["  backups  ", { kind: "local", dir: resolve("backups") }],
    ["file:///srv/backups", { kind: "local", dir: "/srv/backups" }],
    ["s3://my-bucket", { kind: "s3", bucket: "my-bucket", prefix: "" }],
    ["s3://my-bucket/", { kind: "s3", bucket: "my-bucket", prefix: "" }],
    ["S3://my.bucket/cache", { kind: "s3", bucket: "my.bucket", prefix: "cache/" }],
    ["s3://my-bucket/a/b/", { kind: "s3", bucket: "my-bucket", prefix: "a/b/" }],
    ["gs://my_bucket/cache", { kind: "gs", bucket: "my_bucket", prefix: "cache/" }],
    // Flowlord's form: a file. The backups go in its folder, named after it.
    ["gs://bucket/tasks.db", { kind: "gs", bucket: "bucket", prefix: "", baseName: "tasks" }],
    ["s3://bucket/a/b/tasks.DB", { kind: "s3", bucket: "bucket", prefix: "a/b/", baseName: "tasks" }],
    ["s3://bucket/a/old.db/", { kind: "s3", bucket: "bucket", prefix: "a/old.db/" }],
    ["/var/lib/tm/tasks.db", { kind: "local", dir: "/var/lib/tm", baseName: "tasks" }],
    ["file:///srv/flowlord.db", { kind: "local", dir: "/srv", baseName: "flowlord" }],
    ["/srv/backups.db/", { kind: "local", dir: "/srv/backups.db" }],
  ])("reads %j", (text, expected) => {
    expect(parseBackupLocation(text)).toEqual(expected);
  });

  it.each([
    ["", /is empty/],
    ["s3://", /has no bucket/],
    ["s3:///prefix", /has no bucket/],
    ["s3://My_Bucket/x", /not a valid S3 bucket name/],
    ["s3://ab", /not a valid S3 bucket name/],
    ["gs://Bucket/x", /not a valid GCS bucket name/],
    ["s3://bucket/a//b", /empty, "\." or "\.\." part/],
    ["s3://bucket/../x", /empty, "\." or "\.\." part/],
    ["s3://bucket/x?y", /cannot hold/],
    ["mc://bucket/x", /"mc:\/\/" is not supported/],
    ["file://relative", /absolute path/],
  ])("refuses %j", (text, message) => {
    expect(() => parseBackupLocation(text)).toThrow(BackupLocationError);
    expect(() => parseBackupLocation(text)).toThrow(message);
  });
});

describe("backup names", () => {
  it("carries the time to the millisecond, and reads it back", () => {
    const at = new Date("2024-01-31T23:59:59.123Z");
    expect(backupNameAt(at)).toBe("taskmaster-20240131T235959123Z.db");
    expect(backupTime(backupNameAt(at))).toEqual(at);
    expect(backupTime("taskmaster-20241340T000000000Z.db")).toBeUndefined();
    expect(backupTime("other.db")).toBeUndefined();
  });

  it("always gives a name after the newest stored one", () => {
    const stored = catalog([{ name: "taskmaster-20240131T235959123Z.db", size: 1 }]);
    expect(nextBackupName(new Date("2024-01-01T00:00:00.000Z"), stored)).toBe(
      "taskmaster-20240131T235959124Z.db",
    );
    expect(nextBackupName(new Date("2024-02-01T00:00:00.000Z"), stored)).toBe(
      "taskmaster-20240201T000000000Z.db",
    );
  });

  it("lists backups newest first, marked verified when their manifest is there", () => {
    const objects = ["a.txt", "taskmaster-20240101T000000000Z.db", "taskmaster-20240102T000000000Z.db"]
      .concat(["taskmaster-20240101T000000000Z.db.json"])
      .map((name) => ({ name, size: 1 }));
    expect(catalog(objects).map((e) => [e.name, e.verified])).toEqual([
      ["taskmaster-20240102T000000000Z.db", false],
      ["taskmaster-20240101T000000000Z.db", true],
    ]);
  });

  it("names backups after the file a location named, and lists only those (a.b is taken literally)", () => {
    const at = new Date("2024-01-31T23:59:59.123Z");
    expect(backupNameAt(at, "a.b")).toBe("a.b-20240131T235959123Z.db");
    const objects = [
      "a.b-20240101T000000000Z.db",
      "axb-20240102T000000000Z.db",
      "taskmaster-20240103T000000000Z.db",
    ]
      .concat(["flowlord.db"])
      .map((name) => ({ name, size: 1 }));
    expect(catalog(objects, "a.b").map((e) => e.name)).toEqual(["a.b-20240101T000000000Z.db"]);
  });
});

describe("staleBackups", () => {
  const entry = (day: number, verified = true) => ({
    name: `taskmaster-202401${String(day).padStart(2, "0")}T000000000Z.db`,
    size: 1,
    verified,
  });

  it("keeps the newest verified ones, the new one included, and never counts unverified ones", () => {
    const entries = [entry(9, false), entry(8), entry(7, false), entry(6), entry(5), entry(4)];
    const stale = staleBackups(entries, entry(8).name, 2).map((e) => e.name);
    // Day 9 is newer than the new backup: another process's upload in progress, left alone.
    expect(stale).toEqual([entry(7).name, entry(5).name, entry(4).name]);
  });

  it("keeps only the new backup with keep 1", () => {
    expect(staleBackups([entry(2), entry(1)], entry(2).name, 1).map((e) => e.name)).toEqual([entry(1).name]);
  });
});
