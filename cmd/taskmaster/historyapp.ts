/**
 * The dashboard and API as the history serves them: `createApp` given the history's parts. Reads go to the
 * follower's file, the live feed follows the committed batches, actions are planned and published here, reloads
 * are asked of every engine, and the state is the history's own with the engines' heartbeats.
 */
import { statSync } from "node:fs";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { createApp, type LiveChange, type StateView, type Tokens } from "../../handler/index.ts";
import { buildRunning } from "../../internal/alert/index.ts";
import { counts, recentActions } from "../../internal/cache/index.ts";
import type { Clock } from "../../internal/clock/index.ts";
import { type Config, redactConfig } from "../../internal/config/index.ts";
import type { EngineEvents } from "../../internal/engine/index.ts";
import { renderHistoryMetrics } from "../../internal/metrics/index.ts";
import type { Engines } from "./engines.ts";
import type { HistoryActions } from "./historyactions.ts";
import type { HistoryAlerts } from "./historyalerts.ts";
import { followerHistory, whenOpen } from "./historyread.ts";
import { allowedHosts } from "./http.ts";
import type { Projection } from "./projection.ts";
import { streamStates } from "./streams.ts";

export interface HistoryAppDeps {
  readonly config: Config;
  readonly tokens: Tokens;
  readonly version: string;
  /** Host names beyond `allowedHosts(config)` (the address actually listened on). */
  readonly moreHosts: readonly string[];
  readonly nc: NatsConnection;
  readonly clock: Clock;
  readonly events: EngineEvents;
  readonly projection: Projection;
  readonly alerts: HistoryAlerts;
  readonly actions: HistoryActions;
  readonly engines: Engines;
  readonly state: () => StateView;
  readonly workflowRoot: string;
}

export function historyApp(deps: HistoryAppDeps) {
  const { config, projection, alerts, actions, clock } = deps;
  const { follower } = projection;
  const reportError = (where: string, error: Error) => deps.events.emit({ type: "error", where, error });
  return createApp({
    tokens: deps.tokens,
    version: deps.version,
    now: () => clock.now(),
    allowedHosts: [...allowedHosts(config), ...deps.moreHosts],
    state: deps.state,
    history: followerHistory(follower, (error) => reportError("history read", error)),
    metrics: () => {
      const f = follower.state();
      const backups = projection.backups();
      return renderHistoryMetrics({
        natsConnected: deps.state().nats === "connected" ? 1 : 0,
        mode: f.mode,
        behind: f.behind,
        positions: f.positions,
        written: f.written,
        lost: f.lost,
        rebuild: f.rebuild,
        backupFailing: backups.problem ? 1 : 0,
        lastBackupSeconds: backups.last ? Math.round(Date.parse(backups.last.at) / 1000) : 0,
        alertsPending: alerts.digests.state().pending,
        engines: deps.engines.beats().filter((b) => b.role === "engine").length,
      });
    },
    config: () => redactConfig(config),
    workflows: () => actions.snapshot() ?? undefined,
    workflowRoot: () => deps.workflowRoot,
    timeZone: config.http.timeZone,
    ...(alerts.slack ? { notify: async () => notify(deps) } : {}),
    subscribe: (listener) => follower.onProjected((batch) => liveChanges(batch, listener)),
    rerun: (row, options) => actions.rerun(row, options),
    launch: (request) => actions.launch(request),
    backload: (body, page) => actions.backload(body, page),
    audit: (entry) => actions.audit(entry),
    actions: (limit) => whenOpen(follower, (db) => recentActions(db, limit), []),
    reload: async () => {
      // The history's own copy too: its pages and actions follow the engines' workflows.
      await actions.reload().catch((error: Error) => reportError("workflow reload", error));
      return deps.engines.reload();
    },
    backupNow: () => projection.backupNow(),
    about: async () => {
      const jsm = await jetstreamManager(deps.nc);
      const backups = projection.backups();
      return {
        streams: await streamStates(jsm, config).catch(() => []),
        cacheFile: whenOpen(follower, (db) => fileOf(projection.path, counts(db)), null),
        lastBackup: backups.last,
        backupProblem: backups.problem,
        alerts: {
          slack: config.slack.url !== "",
          ...alerts.digests.state(),
          minMs: config.slack.minFrequency,
          maxMs: config.slack.maxFrequency,
        },
        actions: whenOpen(follower, (db) => recentActions(db, 20), []),
      };
    },
    reportError,
  });
}

/** What a committed batch changed, as the live pages need it: tasks, files, alerts. */
export function liveChanges(
  batch: {
    readonly tasks: number;
    readonly dones: number;
    readonly entries: readonly { type: string }[];
    readonly alerts: readonly unknown[];
  },
  listener: (change: LiveChange) => void,
): void {
  if (batch.tasks + batch.dones > 0) listener({ kind: "task" });
  if (batch.entries.some((e) => e.type === "file")) listener({ kind: "file" });
  if (batch.alerts.length > 0) listener({ kind: "alert" });
}

/** Slack's "all is well": the history's uptime, and the workflows and phases the engines run. */
async function notify(deps: HistoryAppDeps): Promise<void> {
  const s = deps.state();
  const upSeconds = Math.round((deps.clock.now().getTime() - s.startedAt.getTime()) / 1000);
  const running = {
    version: deps.version,
    upSeconds,
    nats: s.nats,
    workflows: s.workflows,
    phases: s.phases,
  };
  deps.alerts.slack?.send(buildRunning(running, deps.config.slack.prefix));
}

/** The history file's size (with its WAL) and row counts. */
function fileOf(path: string, rows: ReturnType<typeof counts>) {
  const bytes = [path, `${path}-wal`].reduce((sum, p) => {
    try {
      return sum + statSync(p).size;
    } catch {
      return sum;
    }
  }, 0);
  const { tasks, files, alerts, days } = rows;
  return { path, bytes, rows: { tasks, files, alerts, days } };
}
