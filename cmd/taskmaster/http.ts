/**
 * Serving the API: the tokens (inline or from files), the rule that only loopback may go without tokens, the
 * history bound to the cache's read connection, and the Node server on `http.listen`. The server listens before the
 * service runs, answering the probes only (`createStartingApp`) while NATS is waited for; then the whole API.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { serve } from "@hono/node-server";
import type { Database } from "better-sqlite3";
import {
  BackloadUnavailable,
  createApp,
  createStartingApp,
  type History,
  HistoryUnavailable,
  type StartingView,
  type StateView,
  type Tokens,
  tokenProblem,
} from "../../handler/index.ts";
import { buildRunning } from "../../internal/alert/index.ts";
import {
  alertsOn,
  counts,
  daysWith,
  filesOn,
  hourlyOn,
  phases,
  recapOn,
  recentActions,
  resultsOn,
  taskByKey,
  tasksById,
  tasksOn,
} from "../../internal/cache/index.ts";
import { type Config, type HttpConfig, redactConfig } from "../../internal/config/index.ts";
import { backloadRunner } from "../../internal/engine/index.ts";
import { type ConsumerGauge, collectMetrics } from "../../internal/metrics/index.ts";
import { downstreamOf, launchMetaFiles, planLaunch, planRerun } from "../../internal/plan/index.ts";
import type { Alerts } from "./alerts.ts";
import type { Cache } from "./cache.ts";
import type { EngineRole } from "./engine.ts";

/** What the whole API serves from: an engine's API, with the history cache and the alerts beside it. */
export interface Service extends Omit<EngineRole, "state"> {
  /** The history cache, unless `cache.path` is "". */
  readonly cache: Cache | undefined;
  readonly alerts: Alerts;
  state(): StateView;
}

export class HttpConfigError extends Error {
  override readonly name = "HttpConfigError";
}

/**
 * The tokens from `http.*_token` or `http.*_token_file` (a file's content, trimmed). A token that is set must be
 * one: a blank, short or spaced one is refused here, naming the key, rather than served (a blank one would even
 * open reads to everyone).
 */
export function tokensOf(config: Config, cwd: string): Tokens {
  const fromFile = (path: string, key: string) => {
    let token: string;
    try {
      token = readFileSync(resolve(cwd, path), "utf8").trim();
    } catch (err) {
      throw new HttpConfigError(`${key}: cannot read ${path}: ${(err as Error).message}`);
    }
    return checked(token, `${key} (${path})`);
  };
  const checked = (token: string, key: string) => {
    const problem = tokenProblem(token);
    if (problem) throw new HttpConfigError(`${key}: ${problem}`);
    return token;
  };
  const tokenOf = (inline: string, key: string, file: string) => {
    if (inline !== "") return checked(inline, key);
    return file === "" ? "" : fromFile(file, `${key}_file`);
  };
  return {
    read: tokenOf(config.http.readToken, "http.read_token", config.http.readTokenFile),
    admin: tokenOf(config.http.adminToken, "http.admin_token", config.http.adminTokenFile),
  };
}

/** The tokens read from `http.*_token_file`, for the logger to hide; a file that cannot be read adds none. */
export function tokenFileSecrets(config: Config, cwd: string): string[] {
  const files = [config.http.readTokenFile, config.http.adminTokenFile].filter((file) => file !== "");
  return files.flatMap((file) => {
    try {
      const token = readFileSync(resolve(cwd, file), "utf8").trim();
      return token === "" ? [] : [token];
    } catch {
      return []; // tokensOf reports it
    }
  });
}

/** The names requests may address beyond localhost and IP addresses: `http.allowed_hosts` and the listen host. */
export function allowedHosts(config: Config): string[] {
  const configured = config.http.allowedHosts.split(",").map((name) => name.trim());
  return [config.http.address.host, ...configured].filter((name) => name !== "");
}

/** Loopback addresses may serve without tokens; anything else needs both. */
export function checkExposure(http: HttpConfig, tokens: Tokens): void {
  const { host } = http.address;
  const loopback = host === "127.0.0.1" || host === "localhost" || host === "::1";
  if (loopback || (tokens.read && tokens.admin)) return;
  throw new HttpConfigError(
    `http.listen is ${http.listen}, not a loopback address: set http.read_token and http.admin_token (or their _file variants) first, or listen on 127.0.0.1`,
  );
}

/**
 * The history on the cache's read connection; a 503 that says why when there is none. A read that finds the file
 * corrupt is a 503 too, and the writer is asked to reopen the file, which checks it and moves a corrupt one aside
 * (scheduling never depends on the cache).
 */
export function cacheHistory(service: Pick<Service, "cache" | "events">): History {
  let reopening = false;
  const read = <T>(query: (db: Database) => T): T => {
    const cache = service.cache;
    if (!cache) throw new HistoryUnavailable("the history cache is off (cache.path is empty)");
    const handle = cache.store.database();
    if (!handle)
      throw new HistoryUnavailable(
        `the history cache cannot be read: ${cache.state().reason || "not open yet"}`,
      );
    try {
      return query(handle);
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? "");
      if (!/^SQLITE_(CORRUPT|NOTADB)/.test(code)) throw err;
      service.events.emit({ type: "error", where: "history read", error: err as Error });
      if (!reopening) {
        reopening = true;
        void cache.store.reopen().finally(() => {
          reopening = false;
        });
      }
      throw new HistoryUnavailable(
        `the history cache file is corrupt (${code}: ${(err as Error).message}); it is being checked and moved aside, try again in a moment`,
      );
    }
  };
  return {
    tasksOn: (day, filter) => read((db) => tasksOn(db, day, filter)),
    resultsOn: (day) => read((db) => resultsOn(db, day)),
    hourlyOn: (day, filter) => read((db) => hourlyOn(db, day, filter)),
    tasksById: (id) => read((db) => tasksById(db, id)),
    taskByKey: (key) => read((db) => taskByKey(db, key)),
    filesOn: (day) => read((db) => filesOn(db, day)),
    alertsOn: (day) => read((db) => alertsOn(db, day)),
    daysWith: (kind) => read((db) => daysWith(db, kind)),
    phases: () => read((db) => phases(db)),
    recapOn: (day) => read((db) => recapOn(db, day)),
  };
}

/** A request handler as the Node server calls it; `env` holds the socket (who is calling, for the audit trail). */
type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

export interface HttpServer {
  readonly url: string;
  /** Serves the whole API of `service` from now on (until then, only the probes answer). */
  serve(service: Service): void;
  close(): Promise<void>;
}

/** Listens on `http.listen`, answering as `createStartingApp` does until `serve` is called. */
export async function listenHttp(
  config: Config,
  tokens: Tokens,
  version: string,
  cwd: string,
  waiting: () => StartingView,
): Promise<HttpServer> {
  checkExposure(config.http, tokens);
  const starting = createStartingApp(waiting);
  let app: { fetch: Fetch; stop(): void } = {
    fetch: (request, env) => starting.fetch(request, env),
    stop() {},
  };
  const hostname = config.http.address.host || "0.0.0.0";
  const { port } = config.http.address;
  return new Promise((resolveServer, reject) => {
    const server = serve({ fetch: (request, env) => app.fetch(request, env), hostname, port }, (info) => {
      resolveServer({
        url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${info.port}`,
        serve(service) {
          app = serviceApp(config, service, tokens, version, cwd);
        },
        close: () =>
          new Promise<void>((done) => {
            app.stop();
            server.close(() => done());
            // Live pages hold their event streams open for good: cut them, or closing would wait forever.
            if ("closeAllConnections" in server) server.closeAllConnections();
          }),
      });
    });
    server.once("error", reject);
  });
}

/** The whole API of a running service, and what stops the collectors it feeds from (metrics, backups, lag). */
function serviceApp(
  config: Config,
  service: Service,
  tokens: Tokens,
  version: string,
  cwd: string,
): { fetch: Fetch; stop(): void } {
  const metrics = collectMetrics(service.events);
  const backups = followBackups(service);
  const lag = pollConsumers(service);
  const app = createApp({
    metrics: () => {
      const s = service.state();
      return metrics.render({
        natsConnected: s.nats === "connected" ? 1 : 0,
        cacheDegraded: s.cache.mode === "degraded" ? 1 : 0,
        cachePending: s.cache.pending,
        workflows: s.workflows,
        phases: s.phases,
        consumers: lag.consumers,
        backupFailing: backups.problem ? 1 : 0,
        lastBackupSeconds: backups.last ? Math.round(Date.parse(backups.last.at) / 1000) : 0,
        engine: {
          inFlight: s.engine.inFlight,
          publishing: s.engine.publishing,
          oldestSeconds: s.engine.oldestMs / 1000,
          stuck: s.engine.stuck ? 1 : 0,
        },
      });
    },
    tokens,
    now: () => service.clock.now(),
    allowedHosts: allowedHosts(config),
    version,
    state: () => service.state(),
    history: cacheHistory(service),
    config: () => redactConfig(config),
    workflows: () => service.engine.snapshot() ?? undefined,
    workflowRoot: () => resolve(cwd, config.workflow),
    timeZone: config.http.timeZone,
    ...(service.alerts.slack && config.slack.url
      ? {
          notify: async () => {
            const s = service.state();
            const up = Math.round((service.clock.now().getTime() - s.startedAt.getTime()) / 1000);
            const running = {
              version,
              upSeconds: up,
              nats: s.nats,
              workflows: s.workflows,
              phases: s.phases,
            };
            service.alerts.slack?.send(buildRunning(running, config.slack.prefix));
          },
        }
      : {}),
    subscribe: (listener) => {
      const offs = [
        service.events.on("taskPublished", (e) =>
          listener({ kind: "task", id: e.emission.task.id ?? "", result: "" }),
        ),
        service.events.on("taskDone", (e) =>
          listener({ kind: "task", id: e.task.id ?? "", result: e.task.result ?? "" }),
        ),
        service.events.on("fileArrived", () => listener({ kind: "file" })),
        service.events.on("alertRaised", () => listener({ kind: "alert" })),
      ];
      return () => {
        for (const off of offs) off();
      };
    },
    rerun: async (row, { downstream }) => {
      const task = { type: row.type, job: row.job, info: row.info, id: row.id, meta: row.meta };
      // The same ask twice within a minute is sent once: the minute is part of the message id.
      const minute = service.clock.now().toISOString().slice(0, 16);
      const emission = planRerun(task, service.engine.context(), `${row.key}|${downstream}|${minute}`, {
        downstream,
      });
      await service.engine.publishPlan({ emissions: [emission], alerts: [], notes: [] });
      const snapshot = service.engine.snapshot();
      const follows =
        downstream && snapshot && row.workflow ? downstreamOf(snapshot, row.workflow, row.type, row.job) : [];
      return { sent: emission.task, downstream: follows };
    },
    launch: async (request) => {
      const snapshot = service.engine.snapshot();
      if (!snapshot) throw new Error("no workflows loaded yet");
      const ctx = await service.engine.contextWith(launchMetaFiles(snapshot, request));
      const plan = planLaunch(snapshot, request, ctx);
      await service.engine.publishPlan(plan);
      return { status: plan.status, tasks: plan.emissions.map((e) => e.task) };
    },
    audit: (entry) => service.audit(entry),
    about: async () => ({
      streams: await service.streams(),
      cacheFile: cacheFileOf(service, config, cwd),
      lastBackup: backups.last,
      backupProblem: backups.problem,
      alerts: {
        slack: config.slack.url !== "",
        ...service.alerts.service.state(),
        minMs: config.slack.minFrequency,
        maxMs: config.slack.maxFrequency,
      },
      actions: ((db) => (db ? recentActions(db, 20) : []))(service.cache?.store.database()),
    }),
    actions: (limit) => {
      const db = service.cache?.store.database();
      return db ? recentActions(db, limit) : [];
    },
    backload: backloadRunner({
      snapshot: () => {
        const snapshot = service.engine.snapshot();
        if (!snapshot) throw new BackloadUnavailable("no workflows loaded yet: try again in a moment");
        return snapshot;
      },
      context: (metaFiles) => service.engine.contextWith(metaFiles),
      publish: (plan) => service.engine.publishPlan(plan),
    }),
    reload: () => service.reload(),
    reportError: (where, error) => service.events.emit({ type: "error", where, error }),
  });
  return {
    fetch: (request, env) => app.fetch(request, env),
    stop() {
      metrics.stop();
      backups.stop();
      lag.stop();
    },
  };
}

/** The last backup taken and whether backups are failing, from the service's events. */
function followBackups(service: Pick<Service, "events">) {
  const state = {
    last: null as { at: string; name: string; bytes: number } | null,
    problem: "",
    stop: () => {},
  };
  const offs = [
    service.events.on("backupTaken", (e) => {
      state.last = { at: new Date().toISOString(), name: e.name, bytes: e.bytes };
      state.problem = "";
    }),
    service.events.on("backupFailing", (e) => {
      state.problem = `failing since ${e.since} (${e.attempts} attempts): ${e.error.message}`;
    }),
    service.events.on("backupRecovered", () => {
      state.problem = "";
    }),
  ];
  state.stop = () => {
    for (const off of offs) off();
  };
  return state;
}

/** The cache file's size (with its WAL) and row counts; null with no cache or no readable file. */
function cacheFileOf(service: Pick<Service, "cache">, config: Config, cwd: string) {
  const db = service.cache?.store.database();
  if (!db || !config.cache.path) return null;
  const path = resolve(cwd, config.cache.path);
  const bytes = [path, `${path}-wal`].reduce((sum, p) => {
    try {
      return sum + statSync(p).size;
    } catch {
      return sum;
    }
  }, 0);
  const { tasks, files, alerts, days } = counts(db);
  return { path, bytes, rows: { tasks, files, alerts, days } };
}

/** The durable consumers' lag for `/metrics`, polled every 15 s (a scrape never waits on NATS). */
function pollConsumers(service: Pick<Service, "streams">) {
  const state = { consumers: [] as ConsumerGauge[], stop: () => {} };
  const poll = async () => {
    const streams = await service.streams().catch(() => []);
    state.consumers = streams.flatMap((s) =>
      s.consumers.map((c) => ({
        stream: s.name,
        consumer: c.name,
        pending: c.pending,
        ackPending: c.ackPending,
      })),
    );
  };
  void poll();
  const timer = setInterval(() => void poll(), 15_000);
  timer.unref();
  state.stop = () => clearInterval(timer);
  return state;
}
