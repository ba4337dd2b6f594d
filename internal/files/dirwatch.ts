/**
 * Watching the folders of a root: one `fs.watch` (one inotify watch on Linux) per folder, none per file. The
 * watches and the memory they take grow with the folders, not with the files in them: a landing folder that holds
 * a hundred thousand files costs one watch. (A watcher that tracks each file, as chokidar does, keeps a Stats
 * object and closures for every file it has seen: about 2 KB of heap per file, and an inotify watch each.)
 *
 * A folder's watcher reports a name in it that was made, written, renamed or removed; what it is (a file, a folder,
 * nothing any more) is for the caller to look at. Which folders are watched is the caller's to say: `sync` with what
 * a scan found, `add` for a folder an event announced.
 */
import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import { formatDuration } from "../rule/index.ts";

/** Starts watching one folder; the listener gets the event and the entry's name (null when the system gave none). */
export type WatchDirFn = (dir: string, listener: (event: string, name: string | null) => void) => FSWatcher;

/** The real one: `fs.watch` on the folder, not keeping the process alive. */
export const watchDir: WatchDirFn = (dir, listener) =>
  watch(dir, { persistent: false, encoding: "utf8" }, (event, name) => listener(event, name));

/** What a watcher error means for the person running the service, and what to do about it. */
export function watchErrorMessage(dir: string, error: Error, scanIntervalMs: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  const meanwhile = `until then the scan every ${formatDuration(scanIntervalMs)} still finds new files`;
  if (code === "ENOSPC") {
    return `cannot watch under ${dir}: the inotify watch limit is reached (ENOSPC); raise fs.inotify.max_user_watches (sysctl -w fs.inotify.max_user_watches=524288); ${meanwhile}`;
  }
  if (code === "EMFILE") {
    return `cannot watch under ${dir}: too many open files (EMFILE); raise the open file limit (ulimit -n) or fs.inotify.max_user_instances; ${meanwhile}`;
  }
  return `watching ${dir} failed: ${error.message}; ${meanwhile}`;
}

export interface DirWatchOptions {
  /** Something happened to `path` (an entry of a watched folder). */
  readonly onPath: (path: string) => void;
  /** A folder's watcher reported an event without a name: its folder should be looked at again. */
  readonly onUnnamed: (dir: string) => void;
  /** Watching `dir` could not start (said once until it starts), or its watcher failed (and was stopped). */
  readonly onError: (dir: string, error: Error) => void;
  readonly watch?: WatchDirFn;
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

export class DirWatch {
  readonly #options: DirWatchOptions;
  /** Each watch with the count of watches started when it started (see `started`). */
  readonly #watchers = new Map<string, { readonly watcher: FSWatcher; readonly order: number }>();
  #started = 0;
  /** Folders whose watch could not start: reported once, not again at every scan, until one starts. */
  readonly #failing = new Set<string>();
  #closed = false;

  constructor(options: DirWatchOptions) {
    this.#options = options;
  }

  /** How many folders are watched. */
  get size(): number {
    return this.#watchers.size;
  }

  has(dir: string): boolean {
    return this.#watchers.has(dir);
  }

  /**
   * How many watches have started so far: taken when a scan starts, it tells `sync` which watches started while the
   * scan ran. A count, not a time, so that two starts in the same instant are still told apart.
   */
  get started(): number {
    return this.#started;
  }

  /** Watches `dir`; true when it was not watched before and now is. */
  add(dir: string): boolean {
    if (this.#closed || this.#watchers.has(dir)) return false;
    const { onPath, onUnnamed, onError, watch: start = watchDir } = this.#options;
    let watcher: FSWatcher;
    try {
      watcher = start(dir, (_event, name) => {
        if (name === null || name === "") onUnnamed(dir);
        else onPath(join(dir, name));
      });
    } catch (err) {
      if (!this.#failing.has(dir)) onError(dir, toError(err));
      this.#failing.add(dir);
      return false;
    }
    this.#failing.delete(dir);
    watcher.on("error", (err) => {
      this.remove(dir);
      onError(dir, toError(err));
    });
    this.#started += 1;
    this.#watchers.set(dir, { watcher, order: this.#started });
    return true;
  }

  /** Stops watching `dir`. */
  remove(dir: string): void {
    const watched = this.#watchers.get(dir);
    if (watched === undefined) return;
    this.#watchers.delete(dir);
    watched.watcher.close();
  }

  /**
   * Watches the folders a scan found, the scan having started when `started` was `scannedFrom`: starts the new ones,
   * and stops the others, except those added since the scan started (it may have read their parent before they
   * were made). Returns how many started.
   */
  sync(dirs: Iterable<string>, scannedFrom: number): number {
    const wanted = new Set(dirs);
    for (const [dir, { order }] of [...this.#watchers])
      if (!wanted.has(dir) && order <= scannedFrom) this.remove(dir);
    let started = 0;
    for (const dir of wanted) if (this.add(dir)) started += 1;
    return started;
  }

  close(): void {
    this.#closed = true;
    for (const dir of [...this.#watchers.keys()]) this.remove(dir);
  }
}
