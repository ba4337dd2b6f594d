/**
 * The history's HTTP server: on `--listen` when the engine runs it as a child (often `127.0.0.1:0`, the port then
 * reported to the parent), else on `http.listen`. It answers the probes only (`createStartingApp`) until the whole
 * app is handed over, so an orchestrator sees it starting while NATS is waited for.
 */
import { serve } from "@hono/node-server";
import { createStartingApp, type StartingView } from "../../handler/index.ts";

/** A request handler as the Node server calls it; `env` holds the socket (who is calling, for the audit trail). */
type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

export interface HistoryServer {
  readonly url: string;
  readonly port: number;
  /** Serves `app` from now on. */
  serve(app: { fetch: Fetch }): void;
  close(): Promise<void>;
}

/** `host:port`, `[v6]:port` or `:port` (every interface) as host and port; throws for anything else. */
export function listenAddress(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[3]);
  if (!m || port > 65_535) throw new Error(`--listen: expected host:port, got "${listen}"`);
  return { host: m[1] ?? m[2] ?? "", port };
}

export function listenHistory(listen: string, waiting: () => StartingView): Promise<HistoryServer> {
  const { host, port } = listenAddress(listen);
  const starting = createStartingApp(waiting);
  let app: { fetch: Fetch } = { fetch: (request, env) => starting.fetch(request, env) };
  const hostname = host || "0.0.0.0";
  return new Promise((resolveServer, reject) => {
    const server = serve({ fetch: (request, env) => app.fetch(request, env), hostname, port }, (info) => {
      resolveServer({
        url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${info.port}`,
        port: info.port,
        serve(next) {
          app = next;
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Live pages hold their event streams open for good: cut them, or closing would wait forever.
            if ("closeAllConnections" in server) server.closeAllConnections();
          }),
      });
    });
    server.once("error", reject);
  });
}
