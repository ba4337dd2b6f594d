import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Spooled, SpoolReader, SpoolWriter } from "./spool.ts";

const made: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "taskmaster-spool-"));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A batch's text of 60 characters, 63 bytes in UTF-8. */
const batchText = (i: number) => `batch ${i} → café `.padEnd(60, "x");
const batch = (i: number) => Buffer.from(batchText(i));

function spooled(at: Spooled | null): Spooled {
  if (!at) throw new Error("the batch was not spooled");
  return at;
}

describe("the spool", () => {
  it("hands batches to the reader in order, across segments, and deletes each segment once past it", () => {
    const root = join(tempDir(), "cache.db.spool");
    const dir = join(root, String(process.pid));
    const spool = new SpoolWriter(root, 100);
    const reader = new SpoolReader();
    const at = [0, 1, 2, 3, 4].map((i) => spooled(spool.append(batch(i))));
    // Two batches of 63 bytes fill a segment of 100: five batches take three segment files.
    expect(readdirSync(dir)).toEqual(["00000001.batch", "00000002.batch", "00000003.batch"]);
    expect(reader.read(at[0] as Spooled).toString()).toBe(batchText(0));
    expect(reader.read(at[1] as Spooled).toString()).toBe(batchText(1));
    expect(reader.read(at[2] as Spooled).toString()).toBe(batchText(2));
    expect(readdirSync(dir)).toEqual(["00000002.batch", "00000003.batch"]);
    expect(reader.read(at[4] as Spooled).toString()).toBe(batchText(4));
    expect(readdirSync(dir)).toEqual(["00000003.batch"]);
    reader.finish();
    expect(readdirSync(dir)).toEqual([]);
    spool.close();
    expect(existsSync(root)).toBe(false);
  });

  it("clears what a process that is gone left, and leaves a running process's spool alone", () => {
    const root = join(tempDir(), "cache.db.spool");
    const gone = join(root, String(2 ** 22 + 7)); // above Linux's largest pid
    const living = join(root, String(process.ppid));
    for (const dir of [gone, living]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "00000007.batch"), "a batch");
    }
    writeFileSync(join(root, "stray"), "not a spool");
    const spool = new SpoolWriter(root);
    expect(readdirSync(root).sort()).toEqual([String(process.pid), String(process.ppid)].sort());
    expect(readdirSync(living)).toEqual(["00000007.batch"]);
    spool.close();
    expect(readdirSync(root)).toEqual([String(process.ppid)]);
  });

  it("says when a batch cannot be spooled, and spools again once it can", () => {
    const root = join(tempDir(), "cache.db.spool");
    const dir = join(root, String(process.pid));
    const spool = new SpoolWriter(root, 10);
    expect(spool.append(batch(0))).not.toBeNull();
    rmSync(dir, { recursive: true });
    expect(spool.append(batch(1))).toBeNull();
    mkdirSync(dir);
    expect(new SpoolReader().read(spooled(spool.append(batch(2)))).toString()).toBe(batchText(2));
    spool.close();
  });

  it("names the file when a batch is not there to read", () => {
    const spool = new SpoolWriter(join(tempDir(), "cache.db.spool"));
    const at = spooled(spool.append(Buffer.from("short")));
    expect(() => new SpoolReader().read({ ...at, bytes: 50 })).toThrow(
      `the spool file ${at.file} ends before 50`,
    );
    spool.close();
  });
});
