/**
 * Reloading workflows: chokidar notices edits (debounced, so an editor's burst of writes is one reload) and a
 * periodic rescan catches what a watcher misses (network file systems, a watcher error). Each reload reads the
 * whole set; a set with errors is refused and the last good one stays. Nothing changes when no file changed.
 */
import type { Stats } from "node:fs";
import { watch } from "chokidar";
import { type Clock, every } from "../clock/index.ts";
import { hasErrors, type Problem } from "../errors/index.ts";
import { loadSnapshot } from "./load.ts";
import type { Snapshot } from "./types.ts";

export interface WatchOptions {
  readonly root: string;
  /** The last good snapshot (loaded at startup). */
  readonly initial: Snapshot;
  /** How often to rescan even without a file event. */
  readonly rescanMs: number;
  /** How long to wait after the last file event before reloading (default 300 ms). */
  readonly debounceMs?: number;
  /** Times the wait after file events and the rescans. */
  readonly clock: Clock;
  /**
   * Puts a set that loaded without errors to use. It may refuse it after all (a check of its own): the problems it
   * resolves with then count as the set's, and the last good set stays. The reload resolves after it.
   */
  readonly onReload: (snapshot: Snapshot, changed: readonly string[]) => Promise<readonly Problem[]>;
  /** A set with errors was refused; the reload resolves after what this returns. */
  readonly onRejected: (problems: readonly Problem[]) => Promise<void> | undefined;
  readonly onError: (error: Error) => void;
}

export interface WorkflowWatcher {
  /** Reloads now (what `/refresh` calls); resolves with the workflows that changed, or the problems. */
  reload(): Promise<{ changed: readonly string[]; problems: readonly Problem[] }>;
  close(): Promise<void>;
}

/** The names of workflows added, removed (`-name`) or changed between two snapshots. */
export function changedWorkflows(before: Snapshot, after: Snapshot): string[] {
  const changed: string[] = [];
  for (const [name, wf] of after.workflows) {
    if (before.workflows.get(name)?.checksum !== wf.checksum) changed.push(name);
  }
  for (const name of before.workflows.keys()) if (!after.workflows.has(name)) changed.push(`-${name}`);
  return changed;
}

export function watchWorkflows(options: WatchOptions): WorkflowWatcher {
  let good = options.initial;
  let cancelSoon: (() => void) | undefined;
  let running: Promise<{ changed: readonly string[]; problems: readonly Problem[] }> | undefined;
  let again = false;
  let closed = false;

  const reloadOnce = async () => {
    const next = await loadSnapshot(options.root);
    if (hasErrors(next.problems)) {
      await options.onRejected(next.problems);
      return { changed: [], problems: next.problems };
    }
    const changed = changedWorkflows(good, next);
    if (changed.length > 0) {
      const refused = await options.onReload(next, changed);
      if (hasErrors(refused)) return { changed: [], problems: [...next.problems, ...refused] };
      good = next;
    }
    return { changed, problems: next.problems };
  };

  // One reload at a time; a request during a reload runs once more after it, so the last edit is always seen.
  const reload = (): Promise<{ changed: readonly string[]; problems: readonly Problem[] }> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = reloadOnce()
      .catch((err: unknown) => {
        options.onError(err instanceof Error ? err : new Error(String(err)));
        return { changed: [], problems: [] };
      })
      .finally(() => {
        running = undefined;
        if (again && !closed) {
          again = false;
          void reload();
        }
      });
    return running;
  };

  const soon = () => {
    if (closed) return;
    cancelSoon?.();
    cancelSoon = options.clock.setTimer(options.debounceMs ?? 300, () => void reload());
  };

  // Only workflow files (and the folders that hold them) are watched: a busy file beside them (a SQLite cache and
  // its WAL, a log) would otherwise wake the watcher thousands of times a second.
  const watcher = watch(options.root, {
    ignoreInitial: true,
    persistent: false,
    ignored: (path: string, stats?: Stats) => stats?.isFile() === true && !path.endsWith(".toml"),
  });
  watcher.on("all", (_event, path) => {
    if (path.endsWith(".toml") || !path.includes(".")) soon();
  });
  // A file written while the watcher was still scanning counts as initial and sends no event: look once more.
  watcher.on("ready", soon);
  watcher.on("error", (err) => options.onError(err instanceof Error ? err : new Error(String(err))));
  const stopRescans = every(options.clock, options.rescanMs, () => void reload());

  return {
    reload,
    async close() {
      closed = true;
      cancelSoon?.();
      stopRescans();
      await watcher.close();
      await running;
    },
  };
}
