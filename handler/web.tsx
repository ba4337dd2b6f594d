/**
 * The dashboard's routes: flowlord's page paths (`/web/task`, `/web/files`, `/web/alert`, `/web/workflow`,
 * `/web/backload`, `/web/about`, with `?date=`) and their plural forms, a run's chain, the login form that turns a
 * token into an HttpOnly, SameSite=Strict cookie so a browser enters it once, and the page a person sees when the
 * history cannot be read.
 *
 * Sign-in attempts are limited per client address: 10 at once, then one every 6 s. A person who mistypes is not
 * held up; a script guessing gets 600 tries an hour, against tokens of at least 16 characters. Behind a proxy
 * every client shares the proxy's address (forwarded headers can be forged, so they are not read): a guesser then
 * slows down everyone's sign-in, but not a browser already signed in nor a script with its Bearer token.
 */

import type { Context, Hono, MiddlewareHandler } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { credentialOf, Role, roleOf, sameToken } from "./auth.ts";
import { clientAddress } from "./client.ts";
import type { AppDeps } from "./deps.ts";
import { parseDay, taskFilter } from "./history.ts";
import { tokenBucket } from "./ratelimit.ts";
import { AboutPage, noAbout } from "./views/about.tsx";
import { BackloadPage, backloadPhases } from "./views/backload.tsx";
import { Layout } from "./views/layout.tsx";
import { AlertsPage, FilesPage, TasksPage } from "./views/pages.tsx";
import { RunPage } from "./views/run.tsx";
import { WorkflowsPage } from "./views/workflows.tsx";

/** What a page shows instead of its content when the history cannot be read (the cache is off, or broken). */
export function unavailablePage(why: string) {
  return (
    <Layout title="The history is not available" path="" live={false}>
      <p class="error">{why}</p>
      <p class="muted">
        Scheduling does not depend on it: tasks still run. The <a href="/web/workflows">workflows</a>,{" "}
        <a href="/web/backload">backload</a> and <a href="/web/about">about</a> pages still work.
      </p>
    </Layout>
  );
}

export function mountPages(app: Hono, deps: AppDeps): void {
  const now = deps.now ?? (() => new Date());
  // A browser without a usable token is sent to the login form, not given a JSON 401. A cookie that matches no
  // token (one changed since) is dropped: where reads are open, the page then opens without signing in.
  const page: MiddlewareHandler = async (c, next) => {
    if (roleOf(c, deps.tokens) === null) {
      if (credentialOf(c).via === "cookie") deleteCookie(c, "taskmaster_token", { path: "/" });
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    }
    await next();
    return undefined;
  };
  const days = (kind: "tasks" | "files" | "alerts") => deps.history.daysWith(kind);
  const query = (c: Context) => c.req.query();
  const today = () => now().toISOString().slice(0, 10);

  app.get("/", (c) => c.redirect("/web/tasks", 303));
  const tasks = (c: Context) => {
    const q = query(c);
    const day = parseDay(q.date, now(), deps.timeZone);
    const filter = taskFilter(q);
    const kept = Object.fromEntries(
      Object.entries(q).filter(
        ([k, v]) => v !== "" && ["type", "job", "result", "id", "page", "sort", "direction"].includes(k),
      ),
    );
    return c.html(
      <TasksPage
        day={day}
        days={days("tasks")}
        today={today()}
        page={deps.history.tasksOn(day, filter)}
        filter={kept}
        counts={deps.history.resultsOn(day)}
        hours={deps.history.hourlyOn(day, filter)}
        order={{ sort: filter.sort, direction: filter.direction }}
      />,
    );
  };
  app.get("/web/tasks", page, tasks);
  app.get("/web/task", page, tasks);
  app.get("/web/tasks/:id", page, (c) => {
    const id = c.req.param("id");
    const canAct = roleOf(c, deps.tokens) === Role.admin && deps.rerun !== undefined;
    return c.html(<RunPage id={id} rows={deps.history.tasksById(id)} canAct={canAct} />);
  });
  const files = (c: Context) => {
    const day = parseDay(c.req.query("date"), now(), deps.timeZone);
    return c.html(
      <FilesPage day={day} days={days("files")} today={today()} files={deps.history.filesOn(day)} />,
    );
  };
  app.get("/web/files", page, files);
  const alerts = (c: Context) => {
    const day = parseDay(c.req.query("date"), now(), deps.timeZone);
    return c.html(
      <AlertsPage day={day} days={days("alerts")} today={today()} alerts={deps.history.alertsOn(day)} />,
    );
  };
  app.get("/web/alerts", page, alerts);
  app.get("/web/alert", page, alerts);
  const workflows = (c: Context) => {
    const snapshot = deps.workflows?.();
    // The cache's records only stand in while no set is loaded (and the cache may be off then too).
    const records = snapshot ? [] : safely(() => deps.history.phases(), []);
    const canAct = roleOf(c, deps.tokens) === Role.admin;
    return c.html(<WorkflowsPage snapshot={snapshot} now={now()} records={records} canAct={canAct} />);
  };
  app.get("/web/workflows", page, workflows);
  app.get("/web/workflow", page, workflows);
  app.get("/web/about", page, async (c) => {
    const state = deps.state();
    const uptimeSeconds = Math.round((now().getTime() - state.startedAt.getTime()) / 1000);
    const config = deps.config?.() ?? {};
    const info = (await deps.about?.()) ?? noAbout;
    return c.html(
      <AboutPage
        state={state}
        version={deps.version}
        uptimeSeconds={uptimeSeconds}
        config={config}
        info={info}
      />,
    );
  });

  app.get("/web/backload", page, (c) => {
    const snapshot = deps.workflows?.();
    return c.html(
      <BackloadPage
        phases={snapshot ? backloadPhases(snapshot) : []}
        {...(c.req.query("phase") ? { selected: c.req.query("phase") } : {})}
        today={now().toISOString().slice(0, 10)}
        canExecute={roleOf(c, deps.tokens) === Role.admin}
      />,
    );
  });

  app.get("/login", (c) =>
    c.html(
      <Layout title="Sign in" path="/login" live={false}>
        <form method="post" action="/login">
          <input type="hidden" name="next" value={c.req.query("next") ?? "/web/tasks"} />
          <p>
            <label>
              token (<code>http.read_token</code> or <code>http.admin_token</code>){" "}
              <input type="password" name="token" autocomplete="current-password" required />
            </label>
          </p>
          <button type="submit">sign in</button>
        </form>
      </Layout>,
    ),
  );
  const attempts = tokenBucket({ burst: 10, intervalMs: 6000 });
  app.post("/login", async (c) => {
    const waitMs = attempts.take(clientAddress(c), now().getTime());
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      return c.html(
        <Layout title="Sign in" path="/login" live={false}>
          <p class="error">{`Too many sign-in attempts from this address: try again in ${seconds} s.`}</p>
        </Layout>,
        429,
        { "Retry-After": String(seconds) },
      );
    }
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    const next = typeof form.next === "string" && form.next.startsWith("/web/") ? form.next : "/web/tasks";
    if (!(sameToken(token, deps.tokens.read) || sameToken(token, deps.tokens.admin)))
      return c.html(
        <Layout title="Sign in" path="/login" live={false}>
          <p class="error">That token is not the read or admin token.</p>
          <a href="/login">try again</a>
        </Layout>,
        401,
      );
    setCookie(c, "taskmaster_token", token, { httpOnly: true, sameSite: "Strict", path: "/" });
    return c.redirect(next, 303);
  });
}

function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
