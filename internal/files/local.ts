/**
 * Watching local folders for arriving files: a watch on every folder under every root (one per folder, none per
 * file: `dirwatch.ts`) reports names that were made or written, the settler holds each file back until it is
 * completely written, and a scan at startup and every `scanIntervalMs` finds what no event announced (files written
 * while the service was down, network file systems, a watcher that hit the inotify limit, a root that appeared
 * later). Watcher events are also followed by a scan, once they stop (`followUpQuietMs`). Each (path, size, mtime)
 * is handed to `onFile` at most once per process; across restarts the caller's ledger decides what was already
 * triggered.
 *
 * Nothing here throws at the caller or crashes the process: failures, and callbacks that throw, go to
 * `onProblem`, and scanning goes on.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Clock, every } from "../clock/index.ts";
import { formatDuration } from "../rule/index.ts";
import { DirWatch, type WatchDirFn, watchErrorMessage } from "./dirwatch.ts";
import { isSkippedDir, isTempName } from "./ignore.ts";
import { type LocalRoot, reaches, watchesFolder } from "./roots.ts";
import { type ScannedFile, scanRoot, WatchRootError } from "./scan.ts";
import { createSettler, type FileStat, type Settler, statFile } from "./settle.ts";

/** A completely written file under a watched root. */
export interface LocalFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** How it was noticed: a watcher event, or a scan (startup, periodic, or `scan()`). */
  readonly source: "watch" | "scan";
}

/** A scan of every root has finished. */
export interface LocalScan {
  /** When it started (epoch ms, on the watcher's clock). */
  readonly at: number;
  /** The roots it read (one that does not exist is not). */
  readonly roots: number;
  /** The files modified within the lookback it found. */
  readonly files: number;
  /** Those of them new to this watcher: handed on, or left to settle first. */
  readonly newFiles: number;
}

export interface LocalProblem {
  readonly dir?: string;
  readonly path?: string;
  readonly message: string;
  readonly error?: Error;
}

export interface LocalWatchOptions {
  readonly roots: readonly LocalRoot[];
  /** How long a file's size and mtime must stay the same before it counts as written (e.g. 1000). */
  readonly settleMs: number;
  /** How often every root is scanned as well (e.g. 60000). */
  readonly scanIntervalMs: number;
  /** Scans only consider files modified within this window (e.g. 24 h). */
  readonly lookbackMs: number;
  /** Times the settling, the scans, and the scans' lookback and file ages. */
  readonly clock: Clock;
  /** Starts the watcher of one folder (default `fs.watch`); tests wrap it to lose events. */
  readonly watch?: WatchDirFn;
  readonly onFile: (file: LocalFile) => void;
  readonly onProblem: (problem: LocalProblem) => void;
  /** A scan finished: whatever it found new has been handed on or is settling. */
  readonly onScanned?: (scan: LocalScan) => void;
}

export interface LocalWatcher {
  /** Resolves once every existing root is watched and the startup scan has handed on what it found. */
  readonly ready: Promise<void>;
  /** The roots changed (workflows reloaded): watch new ones, stop watching removed ones. */
  update(roots: readonly LocalRoot[]): void;
  /** Scans every root now; resolves when done (a scan already running is followed by one more). */
  scan(): Promise<void>;
  close(): Promise<void>;
}

/** One root and the watches on its folders; `folders` is absent while the root does not exist. */
interface Watched {
  readonly root: LocalRoot;
  folders: DirWatch | undefined;
  /** "Does not exist" was reported, and the directory has not appeared since. */
  missing: boolean;
  removed: boolean;
}

type Identity = Pick<LocalFile, "size" | "mtimeMs">;

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Watcher events are followed by a scan of every root once none has come for this long, or this long after the
 * first of them (`followUpMaxMs`) while they keep coming. It finds what the events could not announce: files made
 * in a folder between a scan's reading it and its watch starting, and events the system dropped (inotify drops
 * them when its queue overflows). Before, with chokidar, it found the last files of bursts that chokidar missed
 * (measured in `make bench`: the last 281 files of a burst of 2 000, a minute late).
 */
const followUpQuietMs = 2000;
const followUpMaxMs = 10_000;

async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

class LocalWatch implements LocalWatcher {
  readonly ready: Promise<void>;
  readonly #options: LocalWatchOptions;
  readonly #clock: Clock;
  readonly #roots = new Map<string, Watched>();
  /** The last identity handed on per path; pruned by scans once older than the lookback. */
  readonly #reported = new Map<string, Identity>();
  /** How a path waiting in the settler was noticed. */
  readonly #sources = new Map<string, LocalFile["source"]>();
  readonly #background = new Set<Promise<void>>();
  readonly #settler: Settler;
  readonly #stopScans: () => void;
  /**
   * Cancels the scan that follows watcher events (`followUpQuietMs`); `#followUpSince` and `#followUpLast`: the times
   * of the first and the last of them.
   */
  #followUp: (() => void) | undefined;
  #followUpSince = 0;
  #followUpLast = 0;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #closed = false;

  constructor(options: LocalWatchOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#settler = createSettler({
      settleMs: options.settleMs,
      clock: options.clock,
      stat: statFile,
      onSettled: (path, stats) => this.#settled(path, stats),
      onError: (error, path) => {
        this.#sources.delete(path);
        this.#problem({ path, message: `cannot look at ${path}: ${error.message}`, error });
      },
      onDirectory: (path) => this.#folderAppeared(path),
    });
    for (const root of options.roots) this.#add(root);
    this.ready = this.scan();
    this.#stopScans = every(options.clock, options.scanIntervalMs, () => void this.scan());
  }

  /** One scan at a time; asking during one runs one more after it, so it sees files made before asking. */
  scan(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#queued !== undefined) return this.#queued;
    if (this.#running !== undefined) {
      this.#queued = this.#running.then(() => {
        this.#queued = undefined;
        return this.scan();
      });
      return this.#queued;
    }
    this.#running = this.#scanOnce().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  update(roots: readonly LocalRoot[]): void {
    if (this.#closed) return;
    const wanted = new Map(roots.map((root) => [root.dir, root]));
    for (const w of [...this.#roots.values()]) {
      if (wanted.get(w.root.dir)?.depth === w.root.depth) wanted.delete(w.root.dir);
      else this.#remove(w); // gone, or watched to another depth
    }
    for (const root of wanted.values()) this.#add(root);
    this.#track(this.scan());
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    this.#stopScans();
    this.#followUp?.();
    this.#settler.close();
    for (const w of [...this.#roots.values()]) this.#remove(w);
    this.#closing = Promise.all([...this.#background, this.#running, this.#queued]).then(() => undefined);
    return this.#closing;
  }

  #problem(report: LocalProblem): void {
    try {
      this.#options.onProblem(report);
    } catch {
      // The problem reporter itself failed: there is nowhere left to report to, and the watcher must go on.
    }
  }

  #covers(path: string): boolean {
    for (const w of this.#roots.values()) if (reaches(w.root, path)) return true;
    return false;
  }

  #isReported(path: string, file: Identity): boolean {
    const last = this.#reported.get(path);
    return last !== undefined && last.size === file.size && last.mtimeMs === file.mtimeMs;
  }

  #deliver(path: string, file: Identity, source: LocalFile["source"]): void {
    // A root removed by update() while its file was settling: that file is no longer wanted.
    if (this.#closed || !this.#covers(path) || this.#isReported(path, file)) return;
    this.#reported.set(path, { size: file.size, mtimeMs: file.mtimeMs });
    try {
      this.#options.onFile({ path, size: file.size, mtimeMs: file.mtimeMs, source });
    } catch (err) {
      const error = toError(err);
      this.#problem({ path, message: `handling the arrival of ${path} failed: ${error.message}`, error });
    }
  }

  #settled(path: string, stats: FileStat): void {
    const source = this.#sources.get(path) ?? "watch";
    this.#sources.delete(path);
    if (!isTempName(path)) this.#deliver(path, stats, source);
  }

  /**
   * A watcher event: the file may still be being written, so it waits in the settler. A name that is temporary for
   * files and folders alike is dropped here; one that is temporary only for files (`4913`) is looked at, since it
   * may be a new folder (`#settled` drops it if it is a file).
   */
  readonly #noticed = (path: string): void => {
    if (this.#closed || isSkippedDir(path) || !this.#covers(path)) return;
    this.#sources.set(path, "watch");
    this.#settler.touch(path);
    this.#followWith();
  };

  /**
   * Arms the scan that follows watcher events: once they stop, or `followUpMaxMs` after the first. An event only
   * notes its time; the one timer, when it fires, waits on if events came since it was armed.
   */
  #followWith(): void {
    const at = this.#clock.now().getTime();
    this.#followUpLast = at;
    if (this.#followUp !== undefined) return;
    this.#followUpSince = at;
    this.#armFollowUp(followUpQuietMs);
  }

  #armFollowUp(ms: number): void {
    this.#followUp = this.#clock.setTimer(ms, () => {
      const due = Math.min(this.#followUpLast + followUpQuietMs, this.#followUpSince + followUpMaxMs);
      const now = this.#clock.now().getTime();
      if (due > now) return this.#armFollowUp(due - now);
      this.#followUp = undefined;
      this.#track(this.scan());
    });
  }

  /**
   * A file a scan found: an old one is finished and handed on now, a young one may still be being written. True
   * when it is new to this watcher.
   */
  #offer(file: ScannedFile, at: number): boolean {
    if (this.#closed || this.#settler.has(file.path) || this.#isReported(file.path, file)) return false;
    if (at - file.mtimeMs >= this.#options.settleMs) {
      this.#deliver(file.path, file, "scan");
      return true;
    }
    this.#sources.set(file.path, "scan");
    this.#settler.touch(file.path);
    return true;
  }

  /**
   * A folder was made or moved in under a root: watch it and what is in it at once (files written into it right
   * after it was made are there already), unless the root's depth does not reach below it.
   */
  #folderAppeared(dir: string): void {
    if (this.#closed || isSkippedDir(dir)) return;
    for (const w of this.#roots.values()) {
      if (w.folders === undefined || w.removed || !watchesFolder(w.root, dir)) continue;
      if (w.folders.add(dir)) this.#track(this.#readFolder(dir));
    }
  }

  /** Every entry of a folder that just started being watched, as if an event had named it. */
  async #readFolder(dir: string): Promise<void> {
    try {
      for (const entry of await readdir(dir, { withFileTypes: true })) this.#noticed(join(dir, entry.name));
    } catch (err) {
      const error = toError(err);
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return; // gone again: nothing to look at
      this.#problem({ dir, message: `cannot read ${dir}: ${error.message}`, error });
    }
  }

  #add(root: LocalRoot): void {
    this.#roots.set(root.dir, { root, folders: undefined, missing: false, removed: false });
  }

  #remove(w: Watched): void {
    w.removed = true;
    this.#roots.delete(w.root.dir);
    this.#stopWatching(w);
  }

  #track(work: Promise<void>): void {
    this.#background.add(work);
    void work.finally(() => this.#background.delete(work));
  }

  #stopWatching(w: Watched): void {
    w.folders?.close();
    w.folders = undefined;
  }

  /** Watches of a root's folders; failures are explained (the inotify limit) and the scans go on. */
  #watchFolders(): DirWatch {
    const { scanIntervalMs, watch } = this.#options;
    return new DirWatch({
      onPath: this.#noticed,
      // No name: the system could not say what changed; the scan that follows the events looks.
      onUnnamed: () => this.#followWith(),
      onError: (dir, error) =>
        this.#problem({ dir, message: watchErrorMessage(dir, error, scanIntervalMs), error }),
      ...(watch === undefined ? {} : { watch }),
    });
  }

  /**
   * Makes the watches match the root: kept while it exists, stopped when it went away (a watch on a deleted folder
   * sees nothing once the folder is made again). True when the root can be scanned.
   */
  async #syncRoot(w: Watched): Promise<boolean> {
    const { dir } = w.root;
    const exists = await isDirectory(dir);
    if (this.#closed || w.removed) return false;
    if (!exists) {
      this.#stopWatching(w);
      if (!w.missing) {
        w.missing = true;
        const every = formatDuration(this.#options.scanIntervalMs);
        this.#problem({
          dir,
          message: `watch root ${dir} does not exist; the scan every ${every} picks it up when it appears`,
        });
      }
      return false;
    }
    w.missing = false;
    w.folders ??= this.#watchFolders();
    return true;
  }

  async #scanOnce(): Promise<void> {
    const at = this.#clock.now().getTime();
    const since = at - this.#options.lookbackMs;
    for (const [path, last] of this.#reported) if (last.mtimeMs < since) this.#reported.delete(path);
    for (const path of this.#sources.keys()) if (!this.#settler.has(path)) this.#sources.delete(path);
    const scan = { at, roots: 0, files: 0, newFiles: 0 };
    for (const w of [...this.#roots.values()]) {
      try {
        const found = await this.#scanRoot(w, since);
        if (found === undefined) continue;
        scan.roots += 1;
        scan.files += found.length;
        const now = this.#clock.now().getTime();
        for (const file of found) if (this.#offer(file, now)) scan.newFiles += 1;
      } catch (err) {
        if (err instanceof WatchRootError) continue; // removed meanwhile: the next scan says so
        const error = toError(err);
        this.#problem({ dir: w.root.dir, message: `scanning ${w.root.dir} failed: ${error.message}`, error });
      }
    }
    if (this.#closed) return;
    try {
      this.#options.onScanned?.(scan);
    } catch (err) {
      const error = toError(err);
      this.#problem({ message: `handling the end of a scan failed: ${error.message}`, error });
    }
  }

  /**
   * Scans one root and watches the folders it found; the recent files, or undefined when the root is not there
   * (or went away, or the watcher closed, meanwhile).
   */
  async #scanRoot(w: Watched, since: number): Promise<ScannedFile[] | undefined> {
    if (!(await this.#syncRoot(w))) return undefined;
    const folders = w.folders;
    if (folders === undefined) return undefined;
    const dirs: string[] = [];
    const scannedFrom = folders.started;
    const onProblem = (problem: LocalProblem) => this.#problem(problem);
    const files = await scanRoot(w.root, since, { onProblem, onDir: (dir) => dirs.push(dir) });
    if (this.#closed || w.removed || w.folders !== folders) return undefined;
    // A folder watched only now may have had files made in it after the scan read it: look once more soon.
    if (folders.sync(dirs, scannedFrom) > 0) this.#followWith();
    return files;
  }
}

/**
 * Watches `roots` for arriving files; `ready` resolves once the watchers are up and the startup scan is done.
 * Nothing starts before this is called.
 */
export function watchLocal(options: LocalWatchOptions): LocalWatcher {
  return new LocalWatch(options);
}
