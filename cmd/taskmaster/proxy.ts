/**
 * The engine process's way to the history process that `taskmaster run` starts beside it: every request that is not
 * a probe is passed on to the history's loopback port as it comes (method, path, headers, body) and its answer passed
 * back as it goes, streamed both ways, so the live pages' event streams flow through. The history learns who called
 * from `X-Forwarded-For` and which name was asked for from `X-Forwarded-Host`; `Host` is passed unchanged, so its
 * own host and same-origin checks judge the request as the user sent it. While the history process is not up, the
 * answer is a 503 that says why: JSON under /api/, a small page elsewhere.
 */
import { Agent, type IncomingMessage, request, type ServerResponse } from "node:http";

/** Where the history listens now, or why it does not. */
export type HistoryTarget = { readonly port: number } | { readonly down: string };

export interface Proxy {
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  close(): void;
}

/** Seconds a client is asked to wait before trying again while the history restarts. */
const retryAfterSeconds = 5;

/** Hop-by-hop headers: about one connection, never passed on. */
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

export function historyProxy(target: () => HistoryTarget): Proxy {
  const agent = new Agent({ keepAlive: true });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const t = target();
    if ("down" in t) {
      unavailable(req, res, t.down);
      return;
    }
    const upstream = request(
      {
        host: "127.0.0.1",
        port: t.port,
        method: req.method,
        path: req.url,
        headers: forwardedHeaders(req),
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, passedHeaders(answer.headers));
        // Event streams are written as they come: no buffering on this side.
        res.flushHeaders();
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      },
    );
    upstream.on("error", (err) => {
      if (res.headersSent) res.destroy();
      else unavailable(req, res, `the history process did not answer: ${err.message}`);
    });
    // A client gone (a closed live page) ends the request upstream too.
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  };
  return { handle, close: () => agent.destroy() };
}

/** The request's headers for the history: hop-by-hop ones dropped, who called and which host it asked added. */
export function forwardedHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const headers = passedHeaders(req.headers);
  const caller = req.socket.remoteAddress ?? "";
  const before = req.headers["x-forwarded-for"];
  headers["x-forwarded-for"] = [before, caller].filter((v) => v !== undefined && v !== "").join(", ");
  if (req.headers.host) headers["x-forwarded-host"] = req.headers.host;
  headers["x-forwarded-proto"] = "http";
  return headers;
}

function passedHeaders(headers: IncomingMessage["headers"]): Record<string, string | string[]> {
  const passed: Record<string, string | string[]> = {};
  const named = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase()),
  );
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !hopByHop.has(name) && !named.has(name)) passed[name] = value;
  return passed;
}

/** The 503 while the history is not up: JSON for the API, a page that refreshes itself for people. */
export function unavailable(req: Pick<IncomingMessage, "url">, res: ServerResponse, why: string): void {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const headers = { "Retry-After": String(retryAfterSeconds), "Cache-Control": "no-store" };
  if (path.startsWith("/api/")) {
    res.writeHead(503, { ...headers, "Content-Type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ error: why }));
    return;
  }
  res.writeHead(503, { ...headers, "Content-Type": "text/html; charset=utf-8" });
  res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${retryAfterSeconds}">
<title>taskmaster: the history is restarting</title></head><body><p>${escapeHtml(why)}</p>
<p>Scheduling goes on; this page reloads itself.</p></body></html>`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
