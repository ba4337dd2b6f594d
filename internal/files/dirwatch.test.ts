/** One watch per folder: names reported, folders started and stopped as scans find them, failures explained. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.ts";
import { DirWatch, type WatchDirFn, watchDir, watchErrorMessage } from "./dirwatch.ts";

let dir: string;
let folders: DirWatch | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "taskmaster-dirwatch-"));
});
afterEach(() => {
  folders?.close();
  folders = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A DirWatch that records what it reports and which folders it started watching. */
function start() {
  const paths = new Set<string>();
  const errors: { dir: string; error: Error }[] = [];
  const started: string[] = [];
  const counting: WatchDirFn = (folder, listener) => {
    started.push(folder);
    return watchDir(folder, listener);
  };
  folders = new DirWatch({
    onPath: (path) => paths.add(path),
    onUnnamed: () => {},
    onError: (at, error) => errors.push({ dir: at, error }),
    watch: counting,
  });
  return { folders, paths, errors, started };
}

describe("DirWatch", () => {
  it("reports every name written in a folder through one watch, however many files it holds", async () => {
    const { folders, paths, started } = start();
    expect(folders.add(dir)).toBe(true);
    expect(folders.add(dir)).toBe(false);
    for (let i = 0; i < 300; i += 1) writeFileSync(join(dir, `f${i}.csv`), `${i}`);
    await waitFor(() => paths.size === 300, { message: "300 names reported" });
    expect(started).toEqual([dir]);
    expect(folders.size).toBe(1);
  });

  it("syncs with a scan: starts the folders found, stops the others, keeps those added since the scan began", () => {
    const [a, b, c] = ["a", "b", "c"].map((name) => join(dir, name)) as [string, string, string];
    for (const folder of [a, b, c]) mkdirSync(folder);
    const { folders } = start();
    expect(folders.sync([dir, a, b], folders.started)).toBe(3);
    const scanStarted = folders.started;
    folders.add(c); // announced by an event while the scan ran
    expect(folders.sync([dir, a], scanStarted)).toBe(0);
    expect([dir, a, b, c].map((folder) => folders.has(folder))).toEqual([true, true, false, true]);
    expect(folders.sync([dir, a], folders.started)).toBe(0);
    expect(folders.has(c)).toBe(false);
  });

  it("explains a folder that cannot be watched once, not at every scan, and goes on with the others", async () => {
    const { folders, paths, errors } = start();
    const missing = join(dir, "missing");
    expect(folders.add(missing)).toBe(false);
    expect(folders.sync([missing], folders.started)).toBe(0);
    expect(errors).toEqual([{ dir: missing, error: expect.objectContaining({ code: "ENOENT" }) }]);
    mkdirSync(missing);
    expect(folders.add(missing)).toBe(true);
    folders.remove(missing);
    rmSync(missing, { recursive: true });
    expect(folders.add(missing)).toBe(false);
    expect(errors).toHaveLength(2);
    folders.add(dir);
    writeFileSync(join(dir, "ok.csv"), "o");
    await waitFor(() => paths.has(join(dir, "ok.csv")));
  });

  it("reports nothing once closed", async () => {
    const { folders, paths } = start();
    folders.add(dir);
    folders.close();
    expect(folders.size).toBe(0);
    expect(folders.add(dir)).toBe(false);
    // A second watch on the same folder is the witness: once it has seen the write, the closed one would have too.
    const witnessed = new Set<string>();
    const witness = new DirWatch({
      onPath: (path) => witnessed.add(path),
      onUnnamed: () => {},
      onError: () => {},
    });
    try {
      witness.add(dir);
      writeFileSync(join(dir, "late.csv"), "l");
      await waitFor(() => witnessed.has(join(dir, "late.csv")), { message: "the witness saw the write" });
    } finally {
      witness.close();
    }
    expect(paths.size).toBe(0);
  });

  it("explains the inotify limit", () => {
    const error = Object.assign(new Error("ENOSPC: System limit for number of file watchers reached"), {
      code: "ENOSPC",
    });
    const message = watchErrorMessage("/data/in", error, 60_000);
    expect(message).toContain("/data/in");
    expect(message).toContain("fs.inotify.max_user_watches");
    expect(message).toContain("scan every 1m still finds new files");
  });
});
