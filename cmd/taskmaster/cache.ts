/**
 * The history cache, wired into the service: where the file comes from at startup (the file itself, else the newest
 * verified backup, else a replay of the streams), the projection of every event into it, the workflow phases as
 * loaded, backups on a timer and at shutdown. Nothing here can stop scheduling: a cache that cannot be written is
 * degraded (reported), a backup that fails is retried (reported).
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
  type CacheState,
  moveCacheAside,
  phaseRecords,
  probeCacheFile,
  projectEvents,
  rebuildFromStreams,
  startThreadedCache,
  type ThreadedCache,
} from "../../internal/cache/index.ts";
import type { Config } from "../../internal/config/index.ts";
import { asError, auditStream, type EngineEvents } from "../../internal/engine/index.ts";
import type { Snapshot } from "../../internal/workflow/index.ts";

export interface Cache {
  readonly store: ThreadedCache;
  state(): CacheState;
  /** Takes a backup now (the dashboard's button); rejects when there is no backup location or it fails. */
  backupNow(): Promise<void>;
  stop(): Promise<void>;
}

export interface CacheDeps {
  readonly config: Config;
  readonly cwd: string;
  readonly nc: NatsConnection;
  readonly events: EngineEvents;
  readonly snapshot: () => Snapshot | null;
}

export async function startCache(deps: CacheDeps): Promise<Cache | undefined> {
  const { config, events } = deps;
  if (!config.cache.path) return undefined;
  const path = resolve(deps.cwd, config.cache.path);
  const target = config.cache.backupPath ? await backupTarget(config, events) : undefined;
  const before = probeCacheFile(path);
  // Before the writer opens the file: a corrupt one is set aside (kept), and a backup takes the place of what is
  // missing, empty or corrupt.
  if (before === "corrupt") {
    const aside = moveCacheAside(path, new Date());
    events.emit({
      type: "cacheRecovered",
      how: "movedAside",
      detail: `corrupt cache moved aside to ${aside}`,
    });
  }
  const restored = before !== "ok" && target ? await restore(target, path, events) : false;
  const store = startThreadedCache({
    path,
    retentionMs: config.cache.retention,
    // What a full disk may hold in memory, and a burst the writer has not caught up with in its spool (about 250
    // bytes a record); beyond, records are dropped and counted. The streams still hold them (see rebuild).
    maxPending: 100_000,
    maxSpooled: 1_000_000,
    onState: stateReporter(events),
  });
  await store.flush(); // waits for the first open, so the restore (if any) is done
  const off = projectEvents(events, store);
  const loadPhases = () => {
    const snapshot = deps.snapshot();
    if (snapshot) store.phasesLoaded(phaseRecords(snapshot, new Date()));
  };
  loadPhases();
  const offReload = events.on("workflowsReloaded", loadPhases);
  if (before !== "ok" && !restored) void rebuild(deps, store, before);

  const backups = target
    ? startBackups({
        intervalMs: config.cache.backupInterval,
        run: () => {
          const db = store.database();
          if (!db)
            return Promise.reject(
              new Error("the cache is not open (degraded), so there is nothing to back up"),
            );
          return takeBackup({ db, target, keep: config.cache.backupKeep });
        },
        onEvent: (e) => {
          if (e.type === "backupTaken")
            events.emit({ type: "backupTaken", name: e.name, bytes: e.bytes, ms: e.ms });
          else if (e.type === "backupFailed")
            events.emit({
              type: "backupFailed",
              error: e.error,
              attempt: e.attempt,
              retryInMs: e.willRetryInMs ?? 0,
            });
          else if (e.type === "backupFailing")
            events.emit({
              type: "backupFailing",
              since: e.since.toISOString(),
              attempts: e.attempts,
              error: e.error,
            });
          else events.emit({ type: "backupRecovered" });
        },
      })
    : undefined;

  let stopping: Promise<void> | undefined;
  return {
    store,
    state: () => store.state(),
    async backupNow() {
      if (!backups) throw new Error("no backup location: set cache.backup_path");
      await backups.runNow();
    },
    stop() {
      stopping ??= (async () => {
        off();
        offReload();
        await store.flush();
        await backups?.stop({ final: true });
        await store.close();
        target?.close?.();
      })();
      return stopping;
    },
  };
}

async function restore(target: BackupTarget, path: string, events: EngineEvents): Promise<boolean> {
  try {
    const result = await restoreNewest({ target, path });
    for (const skip of result?.skipped ?? [])
      events.emit({
        type: "cacheRecovered",
        how: "restored",
        detail: `skipped ${skip.name}: ${skip.reason}`,
      });
    if (!result) return false;
    events.emit({ type: "cacheRecovered", how: "restored", detail: `cache restored from ${result.name}` });
    return true;
  } catch (err) {
    events.emit({ type: "error", where: `restoring the cache from ${target.describe}`, error: asError(err) });
    return false;
  }
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

/** No file, and no backup to restore: what the streams still hold comes back. */
async function rebuild(deps: CacheDeps, store: ThreadedCache, before: string): Promise<void> {
  try {
    const streams = { tasks: deps.config.streams.tasks, done: deps.config.streams.done, audit: auditStream };
    const r = await rebuildFromStreams(deps.nc, store, streams);
    if (r.tasks + r.dones + r.actions === 0) return;
    const detail = `cache was ${before}: rebuilt ${r.tasks} tasks, ${r.dones} done messages and ${r.actions} actions from the streams`;
    deps.events.emit({ type: "cacheRecovered", how: "rebuilt", detail });
  } catch (err) {
    deps.events.emit({ type: "error", where: "rebuilding the cache from the streams", error: asError(err) });
  }
}

/** Store states as events: a change of mode or reason, and a corrupt file moved aside (once each). */
function stateReporter(events: EngineEvents): (s: CacheState) => void {
  let last: { mode: string; reason: string; movedAside?: string | undefined } = { mode: "ok", reason: "" };
  return (s) => {
    if (s.movedAside && s.movedAside !== last.movedAside) {
      const detail = `corrupt cache moved aside to ${s.movedAside}`;
      events.emit({ type: "cacheRecovered", how: "movedAside", detail });
    }
    if (s.mode !== last.mode || s.reason !== last.reason) {
      const { mode, reason, pending, dropped } = s;
      events.emit({ type: "cacheState", mode, reason, pending, dropped });
    }
    last = { mode: s.mode, reason: s.reason, movedAside: s.movedAside };
  };
}
