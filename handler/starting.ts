/**
 * `createStartingApp(view)`: the API while the service waits for NATS. The process is alive (`/healthz` 200) but
 * not ready (`/readyz` 503, saying what it waits for); every other route answers 503 with the same reason, a page
 * that refreshes itself under `/web/` and JSON elsewhere. It serves nothing private, so it asks for no token.
 * Once the service runs, `createApp` takes over the same server (`cmd/taskmaster/http.ts`).
 */
import { Hono } from "hono";
import { html } from "hono/html";
import { secureHeaders } from "hono/secure-headers";

export interface StartingView {
  /** What the service waits for, e.g. "waiting for NATS: no server answers: connection refused". */
  readonly waiting: string;
}

/** Seconds a client is asked to wait before trying again. */
const retryAfterSeconds = 5;

export function createStartingApp(view: () => StartingView): Hono {
  const app = new Hono();
  app.use(secureHeaders());
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) =>
    c.json({ ready: false, nats: "connecting", workflows: 0, waiting: view().waiting }, 503),
  );
  app.all("*", (c) => {
    const message = `taskmaster is starting: ${view().waiting}`;
    c.header("Retry-After", String(retryAfterSeconds));
    if (c.req.method === "GET" && c.req.path.startsWith("/web/"))
      return c.html(
        html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${retryAfterSeconds}">
<title>taskmaster is starting</title></head><body><p>${message}</p></body></html>`,
        503,
      );
    return c.json({ error: message }, 503);
  });
  return app;
}
