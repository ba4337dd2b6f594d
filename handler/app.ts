/**
 * `createApp(deps)`: the HTTP API. Health and readiness for orchestrators, the service's state, and the JSON API
 * over the history (tasks, files, alerts, days, workflow phases) plus the first action, reloading workflows. It
 * reads through the `History` interface and acts through the deps; it never opens SQLite or NATS itself.
 * `cmd/taskmaster/http.ts` serves it.
 */

import { randomBytes } from "node:crypto";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { audited, mountActions } from "./actions.ts";
import { Role, requireRole } from "./auth.ts";
import { mountBackload } from "./backload.ts";
import { createCsrf, sameOriginOnly } from "./csrf.ts";
import type { AppDeps } from "./deps.ts";
import { mountDocs } from "./docs.ts";
import { mountFlowlord } from "./flowlord.ts";
import { HistoryUnavailable, parseDay, taskFilter } from "./history.ts";
import { hostCheck } from "./hosts.ts";
import { flowlordInfo } from "./info.ts";
import { mountLive } from "./live.ts";
import { openapi } from "./openapi.ts";
import { readiness } from "./probes.ts";
import { actionsScript } from "./views/actions-script.ts";
import { backloadScript } from "./views/backload-script.ts";
import { duration } from "./views/layout.tsx";
import { liveScript } from "./views/live-script.ts";
import { stylesheet } from "./views/stylesheet.ts";
import { mountPages, unavailablePage } from "./web.tsx";

export type { AppDeps, StateView } from "./deps.ts";

/**
 * The pages' policy: scripts, styles, images and requests from this origin only (the pages hold no inline script or
 * style), no plugins, no <base>, forms posting here only, and no framing. Swagger UI at /api/docs sets its own.
 */
const contentSecurityPolicy = {
  defaultSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export function createApp(deps: AppDeps): Hono {
  const now = deps.now ?? (() => new Date());
  const app = new Hono();
  app.use(secureHeaders({ contentSecurityPolicy, overwrite: false }));
  app.use(hostCheck(deps.allowedHosts ?? []));
  app.use(
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? 1024 * 1024,
      onError: (c) =>
        c.json({ error: `the request body is over ${deps.maxBodyBytes ?? 1024 * 1024} bytes` }, 413),
    }),
  );
  const csrf = createCsrf();
  app.use(csrf.check);
  app.use("/web/*", csrf.inject);
  app.onError((err, c) => {
    if (err instanceof HistoryUnavailable)
      return c.req.path.startsWith("/web/")
        ? c.html(unavailablePage(err.message), 503)
        : c.json({ error: err.message }, 503);
    if (err.name === "InputError") return c.json({ error: err.message }, 400);
    // The message of an unexpected error may name files, queries or addresses: it goes to the log, and the answer
    // carries a reference to find it there.
    const ref = randomBytes(4).toString("hex");
    deps.reportError?.(`http ${c.req.method} ${c.req.path} (ref ${ref})`, err);
    return c.json({ error: `internal error (ref ${ref}); the service log has the details` }, 500);
  });
  app.notFound((c) => c.json({ error: `no such route: ${c.req.method} ${c.req.path}` }, 404));

  // Probes answer without a token: orchestrators call them, and they say nothing private.
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/api/openapi.json", (c) => c.json(openapi));
  // The pages' scripts: static text, no secrets, cached for an hour.
  const asset = (type: string, body: string) => (c: Context) =>
    c.body(body, 200, { "Content-Type": `${type}; charset=utf-8`, "Cache-Control": "public, max-age=3600" });
  app.get("/static/actions.js", asset("text/javascript", actionsScript));
  app.get("/static/backload.js", asset("text/javascript", backloadScript));
  app.get("/static/live.js", asset("text/javascript", liveScript));
  app.get("/static/style.css", asset("text/css", stylesheet));
  app.get("/readyz", (c) => {
    const s = deps.state();
    return c.json(readiness(s), s.ready ? 200 : 503);
  });

  const read = requireRole(Role.read, deps.tokens);
  const admin = requireRole(Role.admin, deps.tokens);
  const status = () => {
    const s = deps.state();
    const uptimeSeconds = Math.round((now().getTime() - s.startedAt.getTime()) / 1000);
    return { ...s, startedAt: s.startedAt.toISOString(), uptimeSeconds, version: deps.version };
  };
  app.get("/status", read, (c) => c.json(status()));
  mountLive(app, deps, read);
  app.get("/metrics", read, (c) =>
    deps.metrics
      ? c.text(deps.metrics(), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" })
      : c.json({ error: "no metrics here" }, 404),
  );
  app.get("/api/v1/status", read, (c) => c.json(status()));

  const day = (q: string | undefined) => parseDay(q, now(), deps.timeZone);
  app.get("/api/v1/tasks", read, (c) => {
    const q = c.req.query();
    return c.json(deps.history.tasksOn(day(q.date), taskFilter(q)));
  });
  app.get("/api/v1/tasks/:id", read, (c) => {
    const rows = deps.history.tasksById(c.req.param("id"));
    if (rows.length === 0) return c.json({ error: `no task with id ${c.req.param("id")}` }, 404);
    return c.json({ id: c.req.param("id"), tasks: rows });
  });
  // Flowlord's: every record of a task id, and the service's information.
  app.get("/task/:id", read, (c) => c.json(deps.history.tasksById(c.req.param("id"))));
  // Flowlord's /info: its fields, and its workflow map (next and previous fire times, schedules, child chains).
  app.get("/info", read, (c) => {
    const s = status();
    const snapshot = deps.workflows?.();
    return c.json({
      app_name: "taskmaster",
      runtime: duration(s.uptimeSeconds * 1000),
      ...s,
      workflow: snapshot ? flowlordInfo(snapshot, now()) : {},
    });
  });
  app.get("/api/v1/files", read, (c) => c.json({ files: deps.history.filesOn(day(c.req.query("date"))) }));
  app.get("/api/v1/alerts", read, (c) => c.json({ alerts: deps.history.alertsOn(day(c.req.query("date"))) }));
  app.get("/api/v1/days/:kind", read, (c) => {
    const kind = c.req.param("kind");
    if (kind !== "tasks" && kind !== "files" && kind !== "alerts")
      return c.json({ error: `days of "${kind}"? use tasks, files or alerts` }, 400);
    return c.json({ kind, days: deps.history.daysWith(kind) });
  });
  app.get("/api/v1/workflows", read, (c) => c.json({ phases: deps.history.phases() }));

  const refresh = async (c: Context) => {
    const r = await audited(c, deps, "reload", {}, async () => ({ ...(await deps.reload()), tasks: 0 }));
    const engines = r.engines ? { engines: r.engines } : {};
    return c.json({ changed: r.changed, problems: r.problems.map((p) => p.message), ...engines });
  };
  // Flowlord's GETs that act (/refresh, /notify): kept for its clients, refused from other pages, and admin's once
  // there is an admin token (with none, the read role, as flowlord had it).
  const flowlordAct = deps.tokens.admin ? admin : read;
  app.post("/api/v1/refresh", admin, refresh);
  app.get("/refresh", sameOriginOnly, flowlordAct, refresh);

  app.post("/api/v1/backup", admin, async (c) => {
    const backupNow = deps.backupNow;
    if (!backupNow) return c.json({ error: "no backups here" }, 404);
    const r = await audited(c, deps, "backup", {}, async () => ({ ...(await backupNow()), tasks: 0 }));
    return c.json({ name: r.name, bytes: r.bytes });
  });
  mountBackload(app, deps, read, admin);
  mountActions(app, deps, read, admin);
  mountFlowlord(
    app,
    {
      recap: (d) => deps.history.recapOn(d),
      ...(deps.notify ? { notify: deps.notify } : {}),
      workflowRoot: () => {
        if (!deps.workflowRoot) throw new HistoryUnavailable("no workflow files here");
        return deps.workflowRoot();
      },
      now,
    },
    read,
    flowlordAct,
  );
  mountDocs(app);
  mountPages(app, deps);
  return app;
}
