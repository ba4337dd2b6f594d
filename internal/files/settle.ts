/**
 * Settling: a file counts as arrived only once it is completely written, that is once its size and mtime have
 * stayed the same for `settleMs`. A watcher sees a file the moment it is created, long before a slow writer
 * (an upload, a copy over a network share) has finished; the task it triggers must see the whole file.
 *
 * Every event for a path restarts its wait. When the wait ends the file is looked at again and compared with
 * the look taken when the wait started: a writer that sent no event meanwhile (network file systems often
 * send none) is still caught, because the size or mtime moved.
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
  generation: number;
  /** Cancels the wait's timer. */
  cancel: (() => void) | undefined;
  /** The look taken when the current wait started. */
  seen: FileStat | null;
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

const same = (a: FileStat | null, b: FileStat): boolean =>
  a !== null && a.size === b.size && a.mtimeMs === b.mtimeMs;

export function createSettler(options: SettlerOptions): Settler {
  const waiting = new Map<string, Waiting>();
  let closed = false;

  const forget = (path: string, entry: Waiting) => {
    entry.cancel?.();
    if (waiting.get(path) === entry) waiting.delete(path);
  };

  // Looks at the file, keeps that look as the one to compare with, and starts the wait.
  const startWait = async (path: string, entry: Waiting, generation: number) => {
    const seen = await options.stat(path);
    if (closed || entry.generation !== generation) return;
    if (seen === null || !seen.isFile) {
      forget(path, entry);
      if (seen?.isDirectory) options.onDirectory?.(path);
      return;
    }
    entry.seen = seen;
    entry.cancel = options.clock.setTimer(
      options.settleMs,
      () => void guarded(path, entry, generation, endWait),
    );
  };

  // The wait is over: settled when nothing moved since it started, otherwise wait once more.
  const endWait = async (path: string, entry: Waiting, generation: number) => {
    const now = await options.stat(path);
    if (closed || entry.generation !== generation) return;
    if (now === null || !now.isFile) return forget(path, entry);
    if (!same(entry.seen, now)) return startWait(path, entry, generation);
    forget(path, entry);
    options.onSettled(path, now);
  };

  // A failed look or a throwing callback drops this path and is reported; it never escapes into the timer.
  type Step = (path: string, entry: Waiting, generation: number) => Promise<void>;
  const guarded = async (path: string, entry: Waiting, generation: number, step: Step) => {
    try {
      await step(path, entry, generation);
    } catch (err) {
      if (entry.generation !== generation) return; // a newer touch is already looking again
      forget(path, entry);
      try {
        options.onError(toError(err), path);
      } catch {
        // The error reporter failed too; there is nowhere left to send it, and a timer must not throw.
      }
    }
  };

  return {
    touch(path) {
      if (closed) return;
      let entry = waiting.get(path);
      if (entry === undefined) {
        entry = { generation: 0, cancel: undefined, seen: null };
        waiting.set(path, entry);
      }
      entry.cancel?.();
      entry.cancel = undefined;
      entry.generation += 1;
      void guarded(path, entry, entry.generation, startWait);
    },
    has: (path) => waiting.has(path),
    get pending() {
      return waiting.size;
    },
    close() {
      closed = true;
      for (const entry of waiting.values()) entry.cancel?.();
      waiting.clear();
    },
  };
}
