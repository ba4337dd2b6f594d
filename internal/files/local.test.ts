import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.ts";
import { type ManualClock, manualClock } from "../clock/index.ts";
import { type WatchDirFn, watchDir } from "./dirwatch.ts";
import {
  type LocalFile,
  type LocalProblem,
  type LocalScan,
  type LocalWatcher,
  type LocalWatchOptions,
  watchLocal,
} from "./local.ts";
import type { LocalRoot } from "./roots.ts";

const hour = 3_600_000;
const settleMs = 200;

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

/**
 * Starts a watcher on `roots`, on a clock the test moves (standing at the real time at first, since the files' times
 * are real), that records every file (with the clock's time), problem and scan; waits until it is ready.
 */
async function start(roots: readonly LocalRoot[], options: Partial<LocalWatchOptions> = {}) {
  const clock = (options.clock as ManualClock | undefined) ?? manualClock();
  const files: (LocalFile & { at: number })[] = [];
  const problems: LocalProblem[] = [];
  const scans: LocalScan[] = [];
  watcher = watchLocal({
    roots,
    settleMs,
    scanIntervalMs: 60_000,
    lookbackMs: 24 * hour,
    clock,
    onFile: (file) => files.push({ ...file, at: clock.now().getTime() }),
    onProblem: (problem) => problems.push(problem),
    onScanned: (scan) => scans.push(scan),
    ...options,
  });
  await watcher.ready;
  return { watcher, clock, files, problems, scans };
}

/**
 * Lets time pass until `predicate` holds: the clock moves on a settle period at a time, while the real file system
 * events and looks that the waits depend on come in between.
 */
function passUntil(clock: ManualClock, predicate: () => boolean, message: string, stepMs = settleMs) {
  return waitFor(
    async () => {
      if (predicate()) return true;
      await clock.advance(stepMs);
      return predicate();
    },
    { message, timeoutMs: 10_000 },
  );
}

/** Waits until a timer is armed `ms` from now: the watcher has taken in what the test just did. */
function armed(clock: ManualClock, ms: number, message: string) {
  const due = clock.now().getTime() + ms;
  return waitFor(() => clock.due().includes(due), { message });
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
async function flush(clock: ManualClock, files: readonly LocalFile[], folder = dir) {
  const marker = join(folder, `marker-${files.length}.csv`);
  writeFileSync(marker, "m");
  await passUntil(clock, () => files.some((f) => f.path === marker), `${marker} reported`);
  return files.filter((f) => !f.path.includes("marker-"));
}

describe("watchLocal", () => {
  it("reports a slowly written file once, settleMs after its last byte, with its final size", async () => {
    const { clock, files } = await start([{ dir, depth: 1 }], { settleMs: 400 });
    const path = join(dir, "slow.csv");
    writeFileSync(path, "");
    let lastByte = 0;
    for (let chunk = 0; chunk < 7; chunk += 1) {
      appendFileSync(path, "0123456789");
      lastByte = clock.now().getTime();
      await armed(clock, 400, `the wait restarted by chunk ${chunk}`);
      await clock.advance(150);
    }
    expect(files).toEqual([]);
    await passUntil(clock, () => files.length > 0, "the file reported");
    expect(files[0]?.at).toBeGreaterThanOrEqual(lastByte + 400);
    expect(await flush(clock, files)).toEqual([expect.objectContaining({ path, size: 70, source: "watch" })]);
  });

  it("reports an atomic write (temp file renamed into place) once, under the final name", async () => {
    const { clock, files } = await start([{ dir, depth: 1 }]);
    const temp = join(dir, ".sales.csv.tmp");
    writeFileSync(temp, "a,b\n1,2\n");
    renameSync(temp, join(dir, "sales.csv"));
    await passUntil(clock, () => files.length > 0, "the file reported");
    const seen = await flush(clock, files);
    expect(seen).toEqual([expect.objectContaining({ path: join(dir, "sales.csv"), size: 8 })]);
  });

  it("reports each of 1000 quickly created files exactly once", async () => {
    const { watcher, clock, files } = await start([{ dir, depth: 1 }]);
    for (let i = 0; i < 1000; i += 1) writeFileSync(join(dir, `f${i}.csv`), `${i}`);
    await passUntil(clock, () => files.length >= 1000, "1000 files reported");
    await watcher.scan(); // a scan finds them all again and must not repeat them
    const seen = await flush(clock, files);
    expect(seen).toHaveLength(1000);
    expect(new Set(seen.map((f) => f.path)).size).toBe(1000);
  });

  it("times a burst of 200 files with a handful of timers, not one per file or per event", async () => {
    const clock = manualClock();
    let armed = 0;
    const counting: ManualClock = {
      ...clock,
      setTimer: (ms, fn) => {
        armed += 1;
        return clock.setTimer(ms, fn);
      },
    };
    const { files } = await start([{ dir, depth: 1 }], { clock: counting });
    const before = armed;
    for (let i = 0; i < 200; i += 1) writeFileSync(join(dir, `t${i}.csv`), `${i}`);
    await passUntil(clock, () => files.length >= 200, "200 files reported");
    expect(files).toHaveLength(200);
    expect(armed - before).toBeLessThan(20);
  });

  it("follows watcher events with a scan 2 s after the last of them, 10 s after the first at most", async () => {
    const { clock, scans } = await start([{ dir, depth: 1 }], { scanIntervalMs: hour });
    await clock.advance(2000);
    await waitFor(() => scans.length === 2, { message: "the scan after the root's watch started" });
    const quiet = clock.now().getTime();
    writeFileSync(join(dir, "a.csv"), "a");
    await armed(clock, 2000, "the scan after the event armed");
    await clock.advance(1999);
    expect(scans).toHaveLength(2);
    await clock.advance(1);
    await waitFor(() => scans.length === 3, { message: "the scan after the event" });
    expect(scans[2]?.at).toBe(quiet + 2000);

    // Events every second for 12 s: the scan comes 10 s after the first of them, not 2 s after the last.
    const busy = clock.now().getTime();
    for (let second = 0; second < 12 && scans.length === 3; second += 1) {
      writeFileSync(join(dir, `b${second}.csv`), "b");
      await armed(clock, settleMs, `the event of second ${second} taken in`);
      await clock.advance(1000);
    }
    await waitFor(() => scans.length === 4, { message: "the scan during the burst" });
    expect(scans[3]?.at).toBe(busy + 10_000);
  });

  it("finds the files of a burst that the watcher did not report, by the scan after its events", async () => {
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
    const { clock, files } = await start([{ dir, depth: 1 }], { scanIntervalMs: hour, watch: losing });
    for (let i = 0; i < 40; i += 1) writeFileSync(join(dir, `b${i}.csv`), `${i}`);
    await passUntil(clock, () => files.length >= 40, "all 40 files reported");
    expect(files.filter((f) => f.source === "watch")).toHaveLength(3);
    expect(files.filter((f) => f.source === "scan")).toHaveLength(37);
    expect(new Set(files.map((f) => f.path)).size).toBe(40);
  });

  it("scans at start, 2 s after the root's watch started, then every scanIntervalMs, finding what no event announced", async () => {
    // This watcher reports nothing: only scans can find the file.
    const deaf: WatchDirFn = (folder) => watchDir(folder, () => {});
    const { clock, files, scans } = await start([{ dir, depth: 1 }], { watch: deaf });
    const started = clock.now().getTime();
    await clock.advance(2000);
    await waitFor(() => scans.length === 2, { message: "the scan after the watch started" });
    expect(scans.map((scan) => scan.at - started)).toEqual([0, 2000]);
    const path = join(dir, "unannounced.csv");
    writeFileSync(path, "u");
    age(path, 60_000);
    await clock.advance(60_000 - 2000 - 1);
    expect(scans).toHaveLength(2);
    await clock.advance(1);
    await waitFor(() => scans.length === 3, { message: "the periodic scan" });
    expect(scans[2]).toMatchObject({ at: started + 60_000, roots: 1, files: 1, newFiles: 1 });
    expect(files).toEqual([expect.objectContaining({ path, source: "scan" })]);
    await clock.advance(60_000);
    await waitFor(() => scans.length === 4, { message: "the next periodic scan" });
    expect(scans[3]).toMatchObject({ at: started + 120_000, files: 1, newFiles: 0 });
    expect(files).toHaveLength(1);
  });

  it("reports a file present before start by the startup scan, unless it is older than the lookback", async () => {
    const recent = join(dir, "recent.csv");
    const old = join(dir, "old.csv");
    writeFileSync(recent, "r");
    writeFileSync(old, "o");
    age(recent, hour);
    age(old, 48 * hour);
    const { watcher, files, scans } = await start([{ dir, depth: 1 }]);
    expect(files).toEqual([expect.objectContaining({ path: recent, size: 1, source: "scan" })]);
    expect(scans).toEqual([expect.objectContaining({ roots: 1, files: 1, newFiles: 1 })]);
    await watcher.scan();
    expect(files).toHaveLength(1);
  });

  it("sends a young file found by a scan through the settler", async () => {
    const young = join(dir, "young.csv");
    writeFileSync(young, "y");
    const written = statSync(young).mtimeMs;
    // The clock stands at the file's mtime: the startup scan finds it 0 ms old.
    const { clock, files } = await start([{ dir, depth: 1 }], { clock: manualClock(written) });
    const started = clock.now().getTime();
    expect(files).toEqual([]);
    await armed(clock, settleMs, "the young file waiting to settle");
    await clock.advance(settleMs);
    await waitFor(() => files.length === 1, { message: "the young file reported" });
    expect(files[0]).toMatchObject({ path: young, source: "scan", at: started + settleMs });
  });

  it("reports a missing root once, then watches it after a scan finds it", async () => {
    const later = join(dir, "later");
    const { watcher, clock, files, problems } = await start([{ dir: later, depth: 1 }]);
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
    await passUntil(clock, () => files.length === 2, "next.csv reported");
    expect(files[1]).toMatchObject({ path: next, source: "watch" });
    expect(problems).toHaveLength(1);
  });

  it("watches a root again after it was deleted and made anew", async () => {
    const root = join(dir, "mount");
    mkdirSync(root);
    const { watcher, clock, files, problems } = await start([{ dir: root, depth: 1 }]);
    rmSync(root, { recursive: true });
    await watcher.scan();
    expect(problems.map((p) => p.dir)).toEqual([root]);
    mkdirSync(root);
    await watcher.scan();
    writeFileSync(join(root, "back.csv"), "b");
    await passUntil(clock, () => files.length === 1, "back.csv reported");
    expect(files[0]).toMatchObject({ path: join(root, "back.csv"), source: "watch" });
  });

  it("stops reporting files under a root that update() removed, and watches the new one", async () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    mkdirSync(a);
    mkdirSync(b);
    const { watcher, clock, files } = await start([{ dir: a, depth: 1 }]);
    watcher.update([{ dir: b, depth: 1 }]);
    await watcher.scan();
    writeFileSync(join(a, "dropped.csv"), "a");
    expect(await flush(clock, files, b)).toEqual([]);
    watcher.update([{ dir: b, depth: 1 }]); // the same set again: nothing restarts, nothing repeats
    writeFileSync(join(b, "kept.csv"), "b");
    await passUntil(clock, () => files.some((f) => f.path.endsWith("kept.csv")), "kept.csv reported");
    expect(files.filter((f) => f.path.endsWith("kept.csv"))).toHaveLength(1);
  });

  it("ignores files deeper than the root's depth, and temporary names", async () => {
    mkdirSync(join(dir, "x", "y"), { recursive: true });
    const { clock, files } = await start([{ dir, depth: 2 }]);
    writeFileSync(join(dir, "x", "y", "too-deep.csv"), "d");
    writeFileSync(join(dir, "x", "ok.csv.part"), "p");
    writeFileSync(join(dir, "x", "4913"), "");
    writeFileSync(join(dir, "x", "ok.csv"), "o");
    await passUntil(clock, () => files.length === 1, "ok.csv reported");
    expect((await flush(clock, files)).map((f) => f.path)).toEqual([join(dir, "x", "ok.csv")]);
  });

  it("reports files in a folder made after start", async () => {
    const { clock, files } = await start([{ dir, depth: 2 }]);
    mkdirSync(join(dir, "new"));
    writeFileSync(join(dir, "new", "a.csv"), "a");
    await passUntil(clock, () => files.length === 1, "new/a.csv reported");
    expect(files[0]).toMatchObject({ path: join(dir, "new", "a.csv"), source: "watch" });
  });

  it("reports files in nested folders made after start, and in a folder named like vim's probe", async () => {
    const { clock, files } = await start([{ dir, depth: 3 }]);
    mkdirSync(join(dir, "2026", "11"), { recursive: true });
    writeFileSync(join(dir, "2026", "11", "day.csv"), "d");
    mkdirSync(join(dir, "4913"));
    writeFileSync(join(dir, "4913", "customer.csv"), "c");
    await passUntil(clock, () => files.length === 2, "both files reported");
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
    const { watcher, clock, files } = await start([{ dir, depth: 2 }], { watch: counting });
    await passUntil(clock, () => files.length === 300, "the startup scan's 300 files");
    writeFileSync(join(dir, "a", "new.csv"), "n");
    await passUntil(clock, () => files.length === 301, "a/new.csv reported");
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
    const { clock, problems } = await start([{ dir, depth: 1 }], {
      onFile: (file) => {
        files.push(file.path);
        if (file.path.endsWith("bad.csv")) throw new Error("consumer broke");
      },
    });
    writeFileSync(join(dir, "bad.csv"), "b");
    await passUntil(clock, () => problems.length === 1, "the problem reported");
    expect(problems[0]).toMatchObject({ path: join(dir, "bad.csv"), error: { message: "consumer broke" } });
    writeFileSync(join(dir, "good.csv"), "g");
    await passUntil(clock, () => files.includes(join(dir, "good.csv")), "good.csv reported");
  });
});
