/**
 * The engine process's listener on `http.listen`: the probes it answers itself (`createProbesApp`: /healthz, /readyz,
 * /metrics), and every other request handed to `rest` (the proxy to the history process, or the probes app's 404
 * when the engine runs alone). It listens before NATS answers, so orchestrators see the process alive and what it
 * waits for.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { createProbesApp, type ProbeState, type Tokens } from "../../handler/index.ts";
import type { Config } from "../../internal/config/index.ts";
import type { EngineEvents } from "../../internal/engine/index.ts";
import { appendExposition, collectMetrics } from "../../internal/metrics/index.ts";
import type { EngineRole } from "./engine.ts";
import { pollConsumerLag } from "./lag.ts";
import type { HistoryTarget } from "./proxy.ts";

export interface Front {
  readonly url: string;
  close(): Promise<void>;
}

export interface FrontDeps {
  readonly config: Config;
  readonly tokens: Tokens;
  readonly events: EngineEvents;
  /** The engine once it runs. */
  readonly engine: () => EngineRole | undefined;
  /** What the engine waits for while it starts. */
  readonly waiting: () => string;
  /** The history process beside this one, whose metrics are appended to the engine's; none when it runs alone. */
  readonly history?: () => HistoryTarget;
  /** Where requests other than the probes go; the probes app answers them (404) when absent. */
  readonly rest?: (req: IncomingMessage, res: ServerResponse) => void;
}

const probePaths = new Set(["/healthz", "/readyz", "/metrics"]);

export async function listenFront(deps: FrontDeps): Promise<Front> {
  const metrics = collectMetrics(deps.events);
  const lag = pollConsumerLag(deps.engine);
  const probes = createProbesApp({
    tokens: deps.tokens,
    state: (): ProbeState => deps.engine()?.state() ?? { waiting: deps.waiting() },
    metrics: async (authorization) => {
      const s = deps.engine()?.state();
      const own = metrics.render({
        natsConnected: s?.nats === "connected" ? 1 : 0,
        workflows: s?.workflows ?? 0,
        phases: s?.phases ?? 0,
        engine: {
          inFlight: s?.engine.inFlight ?? 0,
          publishing: s?.engine.publishing ?? 0,
          oldestSeconds: (s?.engine.oldestMs ?? 0) / 1000,
          stuck: s?.engine.stuck ? 1 : 0,
        },
        consumers: await lag.current(),
      });
      const target = deps.history?.();
      return target && "port" in target
        ? appendExposition(own, await historyMetrics(target.port, authorization))
        : own;
    },
  });
  const answer = getRequestListener((request) => probes.fetch(request));
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (probePaths.has(path) || !deps.rest) void answer(req, res);
    else deps.rest(req, res);
  });
  const hostname = deps.config.http.address.host || "0.0.0.0";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(deps.config.http.address.port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : deps.config.http.address.port;
  return {
    url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`,
    close: () =>
      new Promise<void>((done) => {
        metrics.stop();
        lag.stop();
        server.close(() => done());
        // Live pages passed through hold their event streams open for good: cut them, or closing would wait forever.
        server.closeAllConnections();
      }),
  };
}

/** The history process's metrics, asked with the caller's credentials; none when it does not answer in 2 s. */
async function historyMetrics(port: number, authorization: string | undefined): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: authorization ? { authorization } : {},
      signal: AbortSignal.timeout(2000),
    });
    return res.ok ? await res.text() : "";
  } catch {
    return "";
  }
}
