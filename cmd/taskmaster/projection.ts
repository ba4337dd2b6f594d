/**
 * The history's file, wired: the follower projecting the tasks, failed, done, journal and audit streams into SQLite at
 * `cache.path`; the newest verified backup put in place whenever there is no usable file (before the follower replays
 * the rest from the streams); backups of the follower's connection on a timer, on request and at shutdown. Failures
 * are reported as events and never stop the role: the follower retries, the backups retry.
 */
import { resolve } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type BackupTarget,
  openTarget,
  restoreNewest,
  startBackups,
  takeBackup,
} from "../../internal/backup/index.ts";
import {
  type BeforeOpen,
  type FollowEvent,
  type HistoryFollower,
  startFollower,
} from "../../internal/cache/index.ts";
import type { Clock } from "../../internal/clock/index.ts";
import type { Config } from "../../internal/config/index.ts";
import { asError, auditStream, type EngineEvents } from "../../internal/engine/index.ts";
import { journalStream } from "../../internal/journal/index.ts";

/** The last backup taken since start, and why backups fail when they keep failing ("" otherwise). */
export interface BackupView {
  readonly last: { readonly at: string; readonly name: string; readonly bytes: number } | null;
  readonly problem: string;
}

export interface Projection {
  readonly follower: HistoryFollower;
  readonly path: string;
  backups(): BackupView;
  /** Takes a backup now (the dashboard's button); rejects when there is no backup location or it fails. */
  backupNow(): Promise<{ readonly name: string; readonly bytes: number }>;
  /** Stops the backups (taking the shutdown one), then the follower. */
  stop(): Promise<void>;
}

export interface ProjectionDeps {
  readonly config: Config;
  readonly cwd: string;
  readonly nc: NatsConnection;
  readonly clock: Clock;
  /** Backups, restores and failures, as the event log and the metrics know them. */
  readonly events: EngineEvents;
  readonly onFollow: (event: FollowEvent) => void;
}

export async function startProjection(deps: ProjectionDeps): Promise<Projection> {
  const { config, events, clock } = deps;
  if (!config.cache.path)
    throw new Error("cache.path is empty: the history needs a file to project the streams into");
  const path = resolve(deps.cwd, config.cache.path);
  const target = config.cache.backupPath ? await backupTarget(config, events) : undefined;
  const follower = await startFollower({
    nc: deps.nc,
    path,
    streams: {
      tasks: config.streams.tasks,
      failed: config.streams.failed,
      done: config.streams.done,
      events: journalStream,
      audit: auditStream,
    },
    retentionMs: config.cache.retention,
    clock,
    ...(target ? { beforeOpen: restorer(target, events) } : {}),
    onEvent: deps.onFollow,
  });
  const view: { -readonly [K in keyof BackupView]: BackupView[K] } = { last: null, problem: "" };
  const backups = target
    ? startBackups({
        intervalMs: config.cache.backupInterval,
        clock,
        run: () => {
          const db = follower.database();
          if (!db) return Promise.reject(new Error(`the history is not open (${follower.state().mode})`));
          return takeBackup({ db, target, keep: config.cache.backupKeep });
        },
        onEvent: (e) => {
          if (e.type === "backupTaken") {
            view.last = { at: clock.now().toISOString(), name: e.name, bytes: e.bytes };
            view.problem = "";
            events.emit({ type: "backupTaken", name: e.name, bytes: e.bytes, ms: e.ms });
          } else if (e.type === "backupFailed")
            events.emit({
              type: "backupFailed",
              error: e.error,
              attempt: e.attempt,
              retryInMs: e.willRetryInMs ?? 0,
            });
          else if (e.type === "backupFailing") {
            const since = e.since.toISOString();
            view.problem = `failing since ${since} (${e.attempts} attempts): ${e.error.message}`;
            events.emit({ type: "backupFailing", since, attempts: e.attempts, error: e.error });
          } else {
            view.problem = "";
            events.emit({ type: "backupRecovered" });
          }
        },
      })
    : undefined;

  let stopping: Promise<void> | undefined;
  return {
    follower,
    path,
    backups: () => ({ ...view }),
    async backupNow() {
      if (!backups) throw new Error("no backup location: set cache.backup_path");
      const { name, bytes } = await backups.runNow();
      return { name, bytes };
    },
    stop() {
      stopping ??= (async () => {
        await backups?.stop({ final: true });
        await follower.stop();
        target?.close?.();
      })();
      return stopping;
    },
  };
}

/** Puts the newest good backup where there is no usable file; the follower replays what came after it. */
function restorer(target: BackupTarget, events: EngineEvents): BeforeOpen {
  return async (path) => {
    try {
      const result = await restoreNewest({ target, path });
      for (const skip of result?.skipped ?? [])
        events.emit({
          type: "cacheRecovered",
          how: "restored",
          detail: `skipped ${skip.name}: ${skip.reason}`,
        });
      if (result)
        events.emit({
          type: "cacheRecovered",
          how: "restored",
          detail: `history restored from ${result.name}`,
        });
    } catch (err) {
      events.emit({
        type: "error",
        where: `restoring the history from ${target.describe}`,
        error: asError(err),
      });
    }
  };
}

async function backupTarget(config: Config, events: EngineEvents): Promise<BackupTarget | undefined> {
  try {
    return await openTarget(config.cache.backupPath, config.cache);
  } catch (err) {
    events.emit({
      type: "error",
      where: `cache.backup_path ${config.cache.backupPath}`,
      error: asError(err),
    });
    return undefined;
  }
}
