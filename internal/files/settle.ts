/**
 * Settling: a file counts as arrived only once it is completely written, that is once its size and mtime have
 * stayed the same for `settleMs`. A watcher sees a file the moment it is created, long before a slow writer
 * (an upload, a copy over a network share) has finished; the task it triggers must see the whole file.
 *
 * Every event for a path restarts its wait. When the wait ends the file is looked at again and compared with
 * the look taken when the wait started: a writer that sent no event meanwhile (network file systems often
 * send none) is still caught, because the size or mtime moved. With a `settleMs` of 0 there is nothing to wait
 * for: the first look is the file as it arrived.
 *
 * What it costs per file is kept to one look at each end of the wait. The events of one turn of the event loop are
 * looked at together once the turn is over, so the two or three events a writer's open, write and close make come to
 * one look. Every wait is as long as every other, so the waits end in the order they started: one timer, for the
 * first to end, times them all.
 */
import { stat } from "node:fs/promises";
import type { Clock } from "../clock/index.ts";

/** What the settler needs to know about a path. */
export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly isFile: boolean;
  readonly isDirectory?: boolean;
}

/** Looks at a path; null when nothing is there. */
export type StatFn = (path: string) => Promise<FileStat | null>;

export interface SettlerOptions {
  readonly settleMs: number;
  /** Where the waits are timed. */
  readonly clock: Clock;
  readonly stat: StatFn;
  /** The file at `path` has been unchanged for `settleMs`. */
  readonly onSettled: (path: string, stat: FileStat) => void;
  /** A look failed for another reason than the file being gone, or `onSettled` threw; the path is dropped. */
  readonly onError: (error: Error, path: string) => void;
  /** The path turned out to be a folder (made or moved in): not a file to settle, but one to watch. */
  readonly onDirectory?: (path: string) => void;
}

export interface Settler {
  /** An add or change event happened at `path`: (re)start its wait. */
  touch(path: string): void;
  /** True while `path` is waiting to settle. */
  has(path: string): boolean;
  /** How many paths are waiting. */
  readonly pending: number;
  /** Stops every wait; later touches are ignored. */
  close(): void;
}

/** The real file system's answer, following symlinks (a link to a finished file is a finished file). */
export async function statFile(path: string): Promise<FileStat | null> {
  try {
    const stats = await stat(path);
    return {
      size: stats.size,
      mtimeMs: stats.mtimeMs,
      isFile: stats.isFile(),
      isDirectory: stats.isDirectory(),
    };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw err;
  }
}

/** One waiting path. `generation` grows with every touch, so a look that a newer touch overtook is dropped. */
interface Waiting {
  readonly path: string;
  generation: number;
  /** The look taken when the current wait started. */
  seen: FileStat | null;
  /** When the current wait ends (the clock's epoch ms); 0 while no wait runs (a look is due or under way). */
  due: number;
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

const same = (a: FileStat | null, b: FileStat): boolean =>
  a !== null && a.size === b.size && a.mtimeMs === b.mtimeMs;

export function createSettler(options: SettlerOptions): Settler {
  const { clock, settleMs } = options;
  const waiting = new Map<string, Waiting>();
  /** Paths touched in this turn of the event loop, looked at once it is over. */
  const touched = new Set<Waiting>();
  let lookScheduled = false;
  /** The waits running, in the order they end (every wait is `settleMs` long). */
  const timed = new Map<string, Waiting>();
  /** The one timer, armed for the first wait to end (`timerDue`). */
  let cancelTimer: (() => void) | undefined;
  let timerDue = 0;
  let closed = false;

  /** Keeps the timer armed for the first wait to end, and none when no wait runs. */
  const arm = () => {
    const first = timed.values().next().value;
    if (first?.due === timerDue) return;
    cancelTimer?.();
    cancelTimer = undefined;
    timerDue = 0;
    if (first === undefined) return;
    timerDue = first.due;
    cancelTimer = clock.setTimer(first.due - clock.now().getTime(), endWaits);
  };

  const forget = (entry: Waiting) => {
    if (waiting.get(entry.path) === entry) waiting.delete(entry.path);
    if (timed.get(entry.path) === entry) {
      timed.delete(entry.path);
      arm();
    }
  };

  // Looks at the file and keeps that look as the one to compare with; without a wait to make, it has settled.
  const startWait = async (entry: Waiting, generation: number) => {
    const seen = await options.stat(entry.path);
    if (closed || entry.generation !== generation) return;
    if (seen === null || !seen.isFile) {
      forget(entry);
      if (seen?.isDirectory) options.onDirectory?.(entry.path);
      return;
    }
    if (settleMs <= 0) {
      forget(entry);
      options.onSettled(entry.path, seen);
      return;
    }
    entry.seen = seen;
    entry.due = clock.now().getTime() + settleMs;
    timed.set(entry.path, entry);
    arm();
  };

  // The wait is over: settled when nothing moved since it started, otherwise wait once more.
  const endWait = async (entry: Waiting, generation: number) => {
    const now = await options.stat(entry.path);
    if (closed || entry.generation !== generation) return;
    if (now === null || !now.isFile) return forget(entry);
    if (!same(entry.seen, now)) return startWait(entry, generation);
    forget(entry);
    options.onSettled(entry.path, now);
  };

  // A failed look or a throwing callback drops this path and is reported; it never escapes into the timer.
  type Step = (entry: Waiting, generation: number) => Promise<void>;
  const guarded = async (entry: Waiting, step: Step) => {
    const generation = entry.generation;
    try {
      await step(entry, generation);
    } catch (err) {
      if (entry.generation !== generation) return; // a newer touch is already looking again
      forget(entry);
      try {
        options.onError(toError(err), entry.path);
      } catch {
        // The error reporter failed too; there is nowhere left to send it, and a timer must not throw.
      }
    }
  };

  function endWaits(): void {
    cancelTimer = undefined;
    timerDue = 0;
    if (closed) return;
    const now = clock.now().getTime();
    for (const entry of timed.values()) {
      if (entry.due > now) break;
      timed.delete(entry.path);
      entry.due = 0;
      void guarded(entry, endWait);
    }
    arm();
  }

  const lookAtTouched = () => {
    lookScheduled = false;
    if (closed) return;
    for (const entry of touched) void guarded(entry, startWait);
    touched.clear();
  };

  return {
    touch(path) {
      if (closed) return;
      let entry = waiting.get(path);
      if (entry === undefined) {
        entry = { path, generation: 0, seen: null, due: 0 };
        waiting.set(path, entry);
      }
      entry.generation += 1;
      entry.due = 0;
      if (timed.delete(path)) arm();
      touched.add(entry);
      if (!lookScheduled) {
        lookScheduled = true;
        setImmediate(lookAtTouched);
      }
    },
    has: (path) => waiting.has(path),
    get pending() {
      return waiting.size;
    },
    close() {
      closed = true;
      cancelTimer?.();
      cancelTimer = undefined;
      waiting.clear();
      timed.clear();
      touched.clear();
    },
  };
}
