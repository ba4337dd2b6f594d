/**
 * `createProbesApp(deps)`: what the engine role answers on `http.listen` itself. `/healthz` (the process is alive),
 * `/readyz` (connected, workflows loaded, not stuck; 503 with what it waits for while it starts) and `/metrics` (the
 * engine's counters and gauges, with the history's appended when it runs beside it), which asks for the read token
 * as the history's API does. Every other route is the history's: `taskmaster run` passes those on to the history
 * process before they reach this app; an engine run alone answers them 404, saying where they are served.
 */
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { Role, requireRole, type Tokens } from "./auth.ts";

/** What readiness is judged on: the engine's state, or what it waits for while it starts. */
export type ProbeState =
  | {
      readonly ready: boolean;
      readonly nats: string;
      readonly workflows: number;
      readonly engine: { readonly stuck: boolean; readonly oldestMs: number };
    }
  | { readonly waiting: string };

/** What `/readyz` answers for a running state: ready, and why not. */
export function readiness(s: Exclude<ProbeState, { readonly waiting: string }>) {
  return {
    ready: s.ready,
    nats: s.nats,
    workflows: s.workflows,
    stuck: s.engine.stuck,
    oldestInFlightSeconds: Math.floor(s.engine.oldestMs / 1000),
  };
}

export interface ProbesDeps {
  readonly state: () => ProbeState;
  /** The Prometheus text exposition; given the request's Authorization header, to pass on to the history's. */
  readonly metrics: (authorization: string | undefined) => Promise<string> | string;
  readonly tokens: Tokens;
}

export function createProbesApp(deps: ProbesDeps): Hono {
  const app = new Hono();
  app.use(secureHeaders());
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const s = deps.state();
    if ("waiting" in s)
      return c.json({ ready: false, nats: "connecting", workflows: 0, waiting: s.waiting }, 503);
    return c.json(readiness(s), s.ready ? 200 : 503);
  });
  app.get("/metrics", requireRole(Role.read, deps.tokens), async (c) =>
    c.text(await deps.metrics(c.req.header("authorization")), 200, {
      "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
    }),
  );
  app.notFound((c) =>
    c.json(
      {
        error: `no such route here: ${c.req.method} ${c.req.path}; this is the engine role (/healthz, /readyz, /metrics): the dashboard and the API are served by the history role (taskmaster run --role history)`,
      },
      404,
    ),
  );
  return app;
}
