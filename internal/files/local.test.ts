import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.ts";
import { type WatchDirFn, watchDir } from "./dirwatch.ts";
import {
  type LocalFile,
  type LocalProblem,
  type LocalWatcher,
  type LocalWatchOptions,
  watchErrorMessage,
  watchLocal,
} from "./local.ts";
import type { LocalRoot } from "./roots.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hour = 3_600_000;

let dir: string;
let watcher: LocalWatcher | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "taskmaster-local-"));
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a watcher on `roots` that records every file and problem; waits until it is ready. */
async function start(roots: readonly LocalRoot[], options: Partial<LocalWatchOptions> = {}) {
  const files: LocalFile[] = [];
  const problems: LocalProblem[] = [];
  watcher = watchLocal({
    roots,
    settleMs: 200,
    scanIntervalMs: 60_000,
    lookbackMs: 24 * hour,
    onFile: (file) => files.push(file),
    onProblem: (problem) => problems.push(problem),
    ...options,
  });
  await watcher.ready;
  return { watcher, files, problems };
}

/** Sets a file's mtime `ms` into the past. */
function age(path: string, ms: number) {
  const at = (Date.now() - ms) / 1000;
  utimesSync(path, at, at);
}

/**
 * Writes a last file and waits for it: events for anything written before it, had they counted, would have
 * settled first, so what is missing by then is really ignored (no fixed sleep needed to show an absence).
 */
async function flush(files: readonly LocalFile[], folder = dir) {
  const marker = join(folder, `marker-${files.length}.csv`);
  writeFileSync(marker, "m");
  await waitFor(() => files.some((f) => f.path === marker), { message: `${marker} reported` });
  return files.filter((f) => !f.path.includes("marker-"));
}

describe("watchLocal", () => {
  it("reports a slowly written file once, after its last byte, with its final size", async () => {
    const { files } = await start([{ dir, depth: 1 }], { settleMs: 400 });
    const path = join(dir, "slow.csv");
    writeFileSync(path, "");
    for (let chunk = 0; chunk < 7; chunk += 1) {
      appendFileSync(path, "0123456789");
      await sleep(150);
    }
    const lastByte = Date.now() - 150;
    await waitFor(() => files.length > 0);
    const reportedAt = Date.now();
    expect(reportedAt).toBeGreaterThanOrEqual(lastByte + 400);
    expect(await flush(files)).toEqual([expect.objectContaining({ path, size: 70, source: "watch" })]);
  });

  it("reports an atomic write (temp file renamed into place) once, under the final name", async () => {
    const { files } = await start([{ dir, depth: 1 }]);
    const temp = join(dir, ".sales.csv.tmp");
    writeFileSync(temp, "a,b\n1,2\n");
    renameSync(temp, join(dir, "sales.csv"));
    await waitFor(() => files.length > 0);
    const seen = await flush(files);
    expect(seen).toEqual([expect.objectContaining({ path: join(dir, "sales.csv"), size: 8 })]);
  });

  it("reports each of 1000 quickly created files exactly once", async () => {
    const { files } = await start([{ dir, depth: 1 }]);
    for (let i = 0; i < 1000; i += 1) writeFileSync(join(dir, `f${i}.csv`), `${i}`);
    await waitFor(() => files.length >= 1000, { timeoutMs: 10_000 });
    await watcher?.scan(); // a scan finds them all again and must not repeat them
    const seen = await flush(files);
    expect(seen).toHaveLength(1000);
    expect(new Set(seen.map((f) => f.path)).size).toBe(1000);
  });

  it("finds the files of a burst that the watcher did not report, by a scan soon after its events stop", async () => {
    // The system can drop events (inotify's queue overflows): this watcher reports 3 files of 40.
    const losing: WatchDirFn = (folder, listener) => {
      const names = new Set<string>();
      return watchDir(folder, (event, name) => {
        if (name !== null && !names.has(name)) {
          if (names.size >= 3) return;
          names.add(name);
        }
        listener(event, name);
      });
    };
    // No periodic scan within the test: only the scan that follows the events can find the other 37.
    const { files } = await start([{ dir, depth: 1 }], { scanIntervalMs: hour, watch: losing });
    for (let i = 0; i < 40; i += 1) writeFileSync(join(dir, `b${i}.csv`), `${i}`);
    await waitFor(() => files.length >= 40, { timeoutMs: 8000, message: "all 40 files reported" });
    expect(files.filter((f) => f.source === "watch")).toHaveLength(3);
    expect(files.filter((f) => f.source === "scan")).toHaveLength(37);
    expect(new Set(files.map((f) => f.path)).size).toBe(40);
  });

  it("reports a file present before start by the startup scan, unless it is older than the lookback", async () => {
    const recent = join(dir, "recent.csv");
    const old = join(dir, "old.csv");
    writeFileSync(recent, "r");
    writeFileSync(old, "o");
    age(recent, hour);
    age(old, 48 * hour);
    const { watcher, files } = await start([{ dir, depth: 1 }]);
    expect(files).toEqual([expect.objectContaining({ path: recent, size: 1, source: "scan" })]);
    await watcher.scan();
    expect(files).toHaveLength(1);
  });

  it("sends a young file found by a scan through the settler", async () => {
    const young = join(dir, "young.csv");
    writeFileSync(young, "y");
    const { files } = await start([{ dir, depth: 1 }]);
    await waitFor(() => files.length === 1);
    expect(files[0]).toMatchObject({ path: young, source: "scan" });
  });

  it("reports a missing root once, then watches it after a scan finds it", async () => {
    const later = join(dir, "later");
    const { watcher, files, problems } = await start([{ dir: later, depth: 1 }]);
    await watcher.scan();
    expect(problems).toHaveLength(1);
    expect(problems[0]?.dir).toBe(later);
    expect(problems[0]?.message).toContain(`watch root ${later} does not exist`);
    mkdirSync(later);
    const early = join(later, "early.csv");
    writeFileSync(early, "e");
    age(early, 60_000);
    await watcher.scan();
    expect(files).toEqual([expect.objectContaining({ path: early, source: "scan" })]);
    const next = join(later, "next.csv");
    writeFileSync(next, "n");
    await waitFor(() => files.length === 2);
    expect(files[1]).toMatchObject({ path: next, source: "watch" });
    expect(problems).toHaveLength(1);
  });

  it("watches a root again after it was deleted and made anew", async () => {
    const root = join(dir, "mount");
    mkdirSync(root);
    const { watcher, files, problems } = await start([{ dir: root, depth: 1 }]);
    rmSync(root, { recursive: true });
    await watcher.scan();
    expect(problems.map((p) => p.dir)).toEqual([root]);
    mkdirSync(root);
    await watcher.scan();
    writeFileSync(join(root, "back.csv"), "b");
    await waitFor(() => files.length === 1);
    expect(files[0]).toMatchObject({ path: join(root, "back.csv"), source: "watch" });
  });

  it("stops reporting files under a root that update() removed, and watches the new one", async () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    mkdirSync(a);
    mkdirSync(b);
    const { watcher, files } = await start([{ dir: a, depth: 1 }]);
    watcher.update([{ dir: b, depth: 1 }]);
    await watcher.scan();
    writeFileSync(join(a, "dropped.csv"), "a");
    expect(await flush(files, b)).toEqual([]);
    watcher.update([{ dir: b, depth: 1 }]); // the same set again: nothing restarts, nothing repeats
    writeFileSync(join(b, "kept.csv"), "b");
    await waitFor(() => files.some((f) => f.path.endsWith("kept.csv")));
    expect(files.filter((f) => f.path.endsWith("kept.csv"))).toHaveLength(1);
  });

  it("ignores files deeper than the root's depth, and temporary names", async () => {
    mkdirSync(join(dir, "x", "y"), { recursive: true });
    const { files } = await start([{ dir, depth: 2 }]);
    writeFileSync(join(dir, "x", "y", "too-deep.csv"), "d");
    writeFileSync(join(dir, "x", "ok.csv.part"), "p");
    writeFileSync(join(dir, "x", "4913"), "");
    writeFileSync(join(dir, "x", "ok.csv"), "o");
    await waitFor(() => files.length === 1);
    expect((await flush(files)).map((f) => f.path)).toEqual([join(dir, "x", "ok.csv")]);
  });

  it("reports files in a folder made after start", async () => {
    const { files } = await start([{ dir, depth: 2 }]);
    mkdirSync(join(dir, "new"));
    writeFileSync(join(dir, "new", "a.csv"), "a");
    await waitFor(() => files.length === 1);
    expect(files[0]).toMatchObject({ path: join(dir, "new", "a.csv"), source: "watch" });
  });

  it("reports files in nested folders made after start, and in a folder named like vim's probe", async () => {
    const { files } = await start([{ dir, depth: 3 }]);
    mkdirSync(join(dir, "2026", "11"), { recursive: true });
    writeFileSync(join(dir, "2026", "11", "day.csv"), "d");
    mkdirSync(join(dir, "4913"));
    writeFileSync(join(dir, "4913", "customer.csv"), "c");
    await waitFor(() => files.length === 2);
    expect(files.map((f) => [f.path, f.source]).sort()).toEqual([
      [join(dir, "2026", "11", "day.csv"), "watch"],
      [join(dir, "4913", "customer.csv"), "watch"],
    ]);
  });

  it("watches folders, not files: a root with 300 files and two folders takes three watches", async () => {
    mkdirSync(join(dir, "a"));
    mkdirSync(join(dir, "b"));
    for (let i = 0; i < 300; i += 1) writeFileSync(join(dir, i % 2 ? "a" : "b", `f${i}.csv`), `${i}`);
    const watched: string[] = [];
    const counting: WatchDirFn = (folder, listener) => {
      watched.push(folder);
      return watchDir(folder, listener);
    };
    const { watcher, files } = await start([{ dir, depth: 2 }], { watch: counting });
    await waitFor(() => files.length === 300, { message: "the startup scan's 300 files" });
    writeFileSync(join(dir, "a", "new.csv"), "n");
    await waitFor(() => files.length === 301);
    await watcher.scan();
    expect(watched.sort()).toEqual([dir, join(dir, "a"), join(dir, "b")]);
  });

  it("stops watching a folder once it is gone", async () => {
    const sub = join(dir, "sub");
    mkdirSync(sub);
    const closed: string[] = [];
    const tracking: WatchDirFn = (folder, listener) => {
      const inner = watchDir(folder, listener);
      const close = inner.close.bind(inner);
      inner.close = () => {
        closed.push(folder);
        close();
      };
      return inner;
    };
    const { watcher } = await start([{ dir, depth: 2 }], { watch: tracking });
    rmSync(sub, { recursive: true });
    await watcher.scan();
    expect(closed).toEqual([sub]);
  });

  it("survives an onFile that throws: the problem is reported and later files still arrive", async () => {
    const files: string[] = [];
    const { problems } = await start([{ dir, depth: 1 }], {
      onFile: (file) => {
        files.push(file.path);
        if (file.path.endsWith("bad.csv")) throw new Error("consumer broke");
      },
    });
    writeFileSync(join(dir, "bad.csv"), "b");
    await waitFor(() => problems.length === 1);
    expect(problems[0]).toMatchObject({ path: join(dir, "bad.csv"), error: { message: "consumer broke" } });
    writeFileSync(join(dir, "good.csv"), "g");
    await waitFor(() => files.includes(join(dir, "good.csv")));
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
