/**
 * Serving the API: the tokens (inline or from files), the rule that only loopback may go without tokens, the
 * history bound to the cache's read connection, and the Node server on `http.listen`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { serve } from "@hono/node-server";
import type { Database } from "better-sqlite3";
import { createApp } from "../../handler/app.ts";
import type { Tokens } from "../../handler/auth.ts";
import { type History, HistoryUnavailable } from "../../handler/history.ts";
import {
  alertsOn,
  daysWith,
  filesOn,
  phases,
  resultsOn,
  taskByKey,
  tasksById,
  tasksOn,
} from "../../internal/cache/index.ts";
import { type Config, redactConfig } from "../../internal/config/index.ts";
import { collectMetrics } from "../../internal/metrics/index.ts";
import { parseBackloadRequest, planBackload, planRerun } from "../../internal/plan/index.ts";
import type { Service } from "./service.ts";

export class HttpConfigError extends Error {
  override readonly name = "HttpConfigError";
}

/** The tokens from `http.*_token` or `http.*_token_file` (a file's content, trimmed). */
export function tokensOf(config: Config, cwd: string): Tokens {
  const fromFile = (path: string, key: string) => {
    if (!path) return "";
    try {
      return readFileSync(resolve(cwd, path), "utf8").trim();
    } catch (err) {
      throw new HttpConfigError(`${key}: cannot read ${path}: ${(err as Error).message}`);
    }
  };
  return {
    read: config.http.readToken || fromFile(config.http.readTokenFile, "http.read_token_file"),
    admin: config.http.adminToken || fromFile(config.http.adminTokenFile, "http.admin_token_file"),
  };
}

/** Loopback addresses may serve without tokens; anything else needs both. */
export function checkExposure(listen: string, tokens: Tokens): void {
  const host = listen.slice(0, listen.lastIndexOf(":")).replace(/^\[|\]$/g, "");
  const loopback = host === "127.0.0.1" || host === "localhost" || host === "::1";
  if (loopback || (tokens.read && tokens.admin)) return;
  throw new HttpConfigError(
    `http.listen is ${listen}, not a loopback address: set http.read_token and http.admin_token (or their _file variants) first, or listen on 127.0.0.1`,
  );
}

/** The history on the cache's read connection; a 503 that says why when there is none. */
export function cacheHistory(service: Pick<Service, "cache">): History {
  const db = (): Database => {
    const cache = service.cache;
    if (!cache) throw new HistoryUnavailable("the history cache is off (cache.path is empty)");
    const handle = cache.store.database();
    if (!handle)
      throw new HistoryUnavailable(
        `the history cache cannot be read: ${cache.state().reason || "not open yet"}`,
      );
    return handle;
  };
  return {
    tasksOn: (day, filter) => tasksOn(db(), day, filter),
    resultsOn: (day) => resultsOn(db(), day),
    tasksById: (id) => tasksById(db(), id),
    taskByKey: (key) => taskByKey(db(), key),
    filesOn: (day) => filesOn(db(), day),
    alertsOn: (day) => alertsOn(db(), day),
    daysWith: (kind) => daysWith(db(), kind),
    phases: () => phases(db()),
  };
}

export interface HttpServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveHttp(
  config: Config,
  service: Service,
  tokens: Tokens,
  version: string,
): Promise<HttpServer> {
  checkExposure(config.http.listen, tokens);
  const metrics = collectMetrics(service.events);
  const app = createApp({
    metrics: () => {
      const s = service.state();
      return metrics.render({
        natsConnected: s.nats === "connected" ? 1 : 0,
        cacheDegraded: s.cache.mode === "degraded" ? 1 : 0,
        cachePending: s.cache.pending,
        workflows: s.workflows,
        phases: s.phases,
      });
    },
    tokens,
    version,
    state: () => service.state(),
    history: cacheHistory(service),
    config: () => redactConfig(config),
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
    rerun: async (row) => {
      const task = { type: row.type, job: row.job, info: row.info, id: row.id, meta: row.meta };
      const minute = new Date().toISOString().slice(0, 16); // the same ask twice within a minute is sent once
      const emission = planRerun(task, service.engine.context(), `${row.key}|${minute}`);
      await service.engine.publishPlan({ emissions: [emission], alerts: [], notes: [] });
      return emission.task;
    },
    backload: async (body) => {
      const snapshot = service.engine.snapshot();
      if (!snapshot) throw new Error("no workflows loaded yet");
      const plan = planBackload(snapshot, parseBackloadRequest(body), service.engine.context());
      const request = parseBackloadRequest(body);
      if (request.execute) await service.engine.publishPlan(plan);
      return { executed: request.execute, status: plan.status, tasks: plan.emissions.map((e) => e.task) };
    },
    reload: () => service.reload(),
  });
  const at = config.http.listen.lastIndexOf(":");
  const hostname = config.http.listen.slice(0, at).replace(/^\[|\]$/g, "") || "0.0.0.0";
  const port = Number(config.http.listen.slice(at + 1));
  return new Promise((resolveServer, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port }, (info) => {
      resolveServer({
        url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            metrics.stop();
            server.close(() => done());
            // Live pages hold their event streams open for good: cut them, or closing would wait forever.
            if ("closeAllConnections" in server) server.closeAllConnections();
          }),
      });
    });
    server.once("error", reject);
  });
}
