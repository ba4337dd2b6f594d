import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { scanRoot, WatchRootError } from "./scan.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "taskmaster-scan-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `rel` under the temp dir (making its folders) and returns its path. */
function put(rel: string, text = "x"): string {
  const path = join(dir, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const paths = (files: readonly { path: string }[]) => files.map((f) => f.path).sort();

describe("scanRoot", () => {
  it("finds regular files no deeper than the root's depth, with size and mtime", async () => {
    const top = put("a.csv", "hello");
    const one = put("2024/b.csv");
    put("2024/01/c.csv");
    expect(paths(await scanRoot({ dir, depth: 1 }, 0))).toEqual([top]);
    expect(paths(await scanRoot({ dir, depth: 2 }, 0))).toEqual([one, top]);
    const all = await scanRoot({ dir, depth: null }, 0);
    expect(all).toHaveLength(3);
    expect(all.find((f) => f.path === top)).toMatchObject({ size: 5 });
  });

  it("keeps only files modified at or after `since`", async () => {
    const fresh = put("fresh.csv");
    const old = put("old.csv");
    const twoDaysAgo = (Date.now() - 48 * 3_600_000) / 1000;
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    expect(paths(await scanRoot({ dir, depth: 1 }, Date.now() - 24 * 3_600_000))).toEqual([fresh]);
  });

  it("skips temporary names, hidden and temporary folders, but walks a folder named 4913", async () => {
    put(".sales.csv.tmp");
    put("sales.csv.part");
    put("#sales.csv#");
    put("data/4913");
    put(".staging/x.csv");
    put("upload.partial/y.csv");
    const kept = [put("sales.csv"), put("4913/z.csv")];
    expect(paths(await scanRoot({ dir, depth: null }, 0))).toEqual(kept.sort());
  });

  it("follows symlinked folders but reads each real folder once, so a loop ends", async () => {
    const outside = mkdtempSync(join(tmpdir(), "taskmaster-scan-outside-"));
    try {
      writeFileSync(join(outside, "o.csv"), "o");
      symlinkSync(outside, join(dir, "linked"));
      const own = put("sub/s.csv");
      symlinkSync(dir, join(dir, "sub", "loop"));
      expect(paths(await scanRoot({ dir, depth: null }, 0))).toEqual(
        [join(dir, "linked", "o.csv"), own].sort(),
      );
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("throws naming the directory when the root is missing or not a directory", async () => {
    const missing = join(dir, "not", "there");
    await expect(scanRoot({ dir: missing, depth: 1 }, 0)).rejects.toThrow(
      `watch root ${missing} does not exist`,
    );
    await expect(scanRoot({ dir: missing, depth: 1 }, 0)).rejects.toBeInstanceOf(WatchRootError);
    const file = put("file.csv");
    await expect(scanRoot({ dir: file, depth: 1 }, 0)).rejects.toThrow(
      `watch root ${file} is not a directory`,
    );
  });
});
