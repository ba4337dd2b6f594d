/**
 * The history role, composed: the process that projects the streams into SQLite and serves the dashboard and API,
 * sends the alerts and digests, takes the backups, and plans and publishes people's actions. Its parts are built
 * from the resolved config, started in order (the HTTP server first, answering the probes while NATS is waited for;
 * the dashboard last) and stopped in reverse; a start that fails stops what had started. It holds no state that the
 * streams do not: its file can be lost and is rebuilt.
 */
import { resolve } from "node:path";
import { createStartingApp } from "../../handler/index.ts";
import {
  ConnectAbortedError,
  connectPersistently,
  NatsUrlError,
  Publisher,
} from "../../internal/bus/index.ts";
import { type Clock, systemClock } from "../../internal/clock/index.ts";
import type { Config } from "../../internal/config/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import type { Logger } from "../../internal/log/index.ts";
import { closeConnection, type NatsState, watchStatus } from "./connection.ts";
import { type Engines, watchEngines } from "./engines.ts";
import { logEvents } from "./eventlog.ts";
import { startHistoryActions } from "./historyactions.ts";
import { startHistoryAlerts } from "./historyalerts.ts";
import { historyApp } from "./historyapp.ts";
import { logFollowEvent } from "./historylog.ts";
import { listenAddress, listenHistory } from "./historyserver.ts";
import { historyStateView } from "./historystate.ts";
import { checkExposure, tokensOf } from "./http.ts";
import type { Io } from "./io.ts";
import { Parts } from "./parts.ts";
import { startProjection } from "./projection.ts";
import { version } from "./version.ts";

export interface HistoryRoleOptions {
  /** Where to serve instead of `http.listen` (the engine's child listens on `127.0.0.1:0` and reports its port). */
  readonly listen?: string;
  /** Aborting gives up waiting for NATS. */
  readonly signal?: AbortSignal;
  /** Where every part's time comes from (default: the system's). */
  readonly clock?: Clock;
}

export interface HistoryRole {
  readonly url: string;
  /** Stops every part, the last started first. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the history; null when it could not start (the reasons are logged, what had started is stopped). */
export async function startHistoryRole(
  config: Config,
  io: Io,
  log: Logger,
  options: HistoryRoleOptions = {},
): Promise<HistoryRole | null> {
  const clock = options.clock ?? systemClock;
  const events = new EngineEvents();
  const stopLogging = logEvents(events, log);
  const parts = new Parts();
  // A part that fails to stop is logged; the others were still stopped.
  const stopParts = () =>
    parts
      .stop()
      .catch((err: unknown) => log.error({ err }, `stopping the history: ${(err as Error).message}`));
  const listen = options.listen ?? config.http.listen;
  let waiting = "waiting for NATS";
  events.on("natsConnectFailed", (e) => {
    waiting = `waiting for NATS: ${e.reason} (attempt ${e.attempt})`;
  });
  let url = "";
  try {
    const tokens = tokensOf(config, io.cwd);
    const address = listenAddress(listen);
    checkExposure({ ...config.http, listen, address }, tokens);
    const http = await parts.start(
      "the HTTP server",
      () => listenHistory(listen, () => ({ waiting })),
      (s) => s.close(),
    );
    url = http.url;
    log.info({ http: url }, "history listening");
    if (options.listen) process.send?.({ type: "listening", port: http.port });

    const nc = await parts.start(
      "the NATS connection",
      () =>
        connectPersistently(
          { ...config.nats, connectTimeoutMs: config.nats.connectTimeout },
          {
            ...(options.signal ? { signal: options.signal } : {}),
            onFailure: (failure) => events.emit({ type: "natsConnectFailed", ...failure }),
          },
        ),
      closeConnection,
    );
    let nats: NatsState = "connected";
    void watchStatus(nc, events, (s) => {
      nats = s;
    });
    const publisher = await parts.start(
      "the publisher",
      () => new Publisher(nc),
      (p) => p.close(),
    );
    const projection = await parts.start(
      "the history file",
      () => startProjection({ config, cwd: io.cwd, nc, clock, events, onFollow: logFollowEvent(log) }),
      (p) => p.stop(),
    );
    const { follower } = projection;
    const actions = await parts.start(
      "the actions",
      () => startHistoryActions({ config, cwd: io.cwd, publisher, events, clock }),
      (a) => a.stop(),
    );
    const alerts = await parts.start(
      "the alerts",
      () => startHistoryAlerts({ config, nc, follower, publisher, events, clock }),
      (a) => a.stop(),
    );
    let engines: Engines | undefined;
    const startedAt = clock.now();
    const state = () => {
      const snapshot = actions.snapshot();
      return historyStateView({
        nats,
        workflows: snapshot?.workflows.size ?? 0,
        phases: snapshot?.phases.length ?? 0,
        startedAt,
        follower: follower.state(),
        beats: engines?.beats() ?? [],
      });
    };
    engines = await parts.start(
      "the heartbeats",
      () =>
        watchEngines({
          nc,
          clock,
          replicas: config.streams.replicas,
          state: () => {
            const { mode, behind, lost } = follower.state();
            return { nats, mode, behind, lost };
          },
          onError: (where, error) => events.emit({ type: "error", where, error }),
        }),
      (e) => e.stop(),
    );
    const app = historyApp({
      config,
      tokens,
      version,
      moreHosts: address.host ? [address.host] : [],
      nc,
      clock,
      events,
      projection,
      alerts,
      actions,
      engines,
      state,
      workflowRoot: resolve(io.cwd, config.workflow),
    });
    await parts.start(
      "the dashboard",
      () => http.serve(app),
      // While the rest stops, only the probes answer.
      () => http.serve(createStartingApp(() => ({ waiting: "stopping" }))),
    );
    const s = follower.state();
    log.info({ http: url, history: s.mode, behind: s.behind, path: s.path }, "history running");
    return {
      url,
      stop: async () => {
        await stopParts();
        stopLogging();
      },
    };
  } catch (err) {
    await stopParts();
    if (err instanceof ConnectAbortedError) {
      log.info("history stopped while waiting for NATS");
      stopLogging();
      return { url, stop: async () => {} };
    }
    stopLogging();
    const known = err instanceof NatsUrlError || (err as Error).name === "HttpConfigError";
    log.error(known ? {} : { err }, `the history cannot start: ${(err as Error).message}`);
    return null;
  }
}
