// The API through `app.request()`: probes, tokens (401/403), bad input (400), oversized bodies (413), the cache
// off (503), and the history read back from a real SQLite file.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CacheStore,
  createCacheStore,
  hourlyOn,
  resultsOn,
  taskByKey,
  tasksById,
  tasksOn,
} from "../internal/cache/index.ts";
import { done, task, tempDir } from "../internal/cache/testdata/records.ts";
import { type AppDeps, createApp } from "./app.ts";
import { type History, HistoryUnavailable } from "./history.ts";

let store: CacheStore;
let cleanup: () => void;
beforeAll(async () => {
  const dir = tempDir();
  cleanup = dir.remove;
  store = createCacheStore({ path: join(dir.dir, "taskmaster.db"), retentionMs: 0 });
  const first = task({ key: "k1", id: "run-1", created: "2024-01-15T03:04:05Z" });
  const second = task({
    key: "k2",
    id: "run-1",
    type: "load",
    info: "?x=<script>",
    created: "2024-01-15T04:00:00Z",
  });
  store.taskEmitted(first);
  store.taskEmitted(second);
  store.taskDone(done(first));
  await store.flush();
});
afterAll(async () => {
  await store.close();
  cleanup();
});

const history = (): History => {
  const db = () =>
    store.database() ??
    (() => {
      throw new HistoryUnavailable("closed");
    })();
  return {
    tasksOn: (day, filter) => tasksOn(db(), day, filter),
    resultsOn: (day) => resultsOn(db(), day),
    hourlyOn: (day, filter) => hourlyOn(db(), day, filter),
    tasksById: (id) => tasksById(db(), id),
    taskByKey: (key) => taskByKey(db(), key),
    filesOn: () => [],
    alertsOn: () => [],
    daysWith: () => ["2024-01-15"],
    phases: () => [],
    recapOn: () => [],
  };
};

function app(over: Partial<AppDeps> = {}) {
  return createApp({
    tokens: { read: "r-token", admin: "a-token" },
    version: "0.1.0",
    state: () => ({
      nats: "connected",
      workflows: 2,
      phases: 5,
      ready: true,
      startedAt: new Date("2024-01-15T00:00:00Z"),
      cache: { mode: "ok", reason: "", pending: 0 },
    }),
    history: history(),
    reload: async () => ({ changed: ["a.toml"], problems: [] }),
    now: () => new Date("2024-01-15T12:00:00Z"),
    ...over,
  });
}

const as = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe("the API", () => {
  it("answers the probes without a token: healthz, and readyz with 503 while not ready", async () => {
    expect((await app().request("/healthz")).status).toBe(200);
    const notReady = app({
      state: () => ({
        nats: "reconnecting",
        workflows: 0,
        phases: 0,
        ready: false,
        startedAt: new Date(),
        cache: { mode: "ok", reason: "", pending: 0 },
      }),
    });
    const r = await notReady.request("/readyz");
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ ready: false, nats: "reconnecting", workflows: 0 });
  });

  it("needs the read token for reading (401 without, with a message saying what to send), and sets security headers", async () => {
    const r = await app().request("/api/v1/tasks?date=2024-01-15");
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: string }).error).toContain("Authorization: Bearer");
    const ok = await app().request("/api/v1/tasks?date=2024-01-15", as("r-token"));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await app().request("/api/v1/tasks", as("wrong"))).status).toBe(401);
  });

  it("lists a day's tasks with queue and run times, filters them, and shows a run by id", async () => {
    const r = await app().request("/api/v1/tasks?date=2024-01-15", as("r-token"));
    const body = (await r.json()) as {
      total: number;
      rows: { key: string; result: string; runMs: number | null }[];
    };
    expect(body.total).toBe(2);
    expect(body.rows.map((t) => [t.key, t.result, t.runMs])).toEqual([
      ["k2", "", null],
      ["k1", "complete", 2000],
    ]);
    const running = await app().request("/api/v1/tasks?date=2024-01-15&result=running", as("r-token"));
    expect(((await running.json()) as { total: number }).total).toBe(1);
    const run = await app().request("/api/v1/tasks/run-1", as("r-token"));
    const chain = (await run.json()) as { tasks: { info: string }[] };
    expect(chain.tasks.map((t) => t.info)).toEqual(["?date=2024-01-15", "?x=<script>"]);
    expect((await app().request("/api/v1/tasks/nope", as("r-token"))).status).toBe(404);
    // flowlord's /task/{id}: the records as a list, empty for an unknown id
    const legacy = (await (await app().request("/task/run-1", as("r-token"))).json()) as unknown[];
    expect(legacy).toHaveLength(2);
    expect(await (await app().request("/task/nope", as("r-token"))).json()).toEqual([]);
    expect(await (await app().request("/info", as("r-token"))).json()).toMatchObject({ version: "0.1.0" });
  });

  it("refuses bad input with 400 and a message that names the parameter", async () => {
    const bad = async (path: string) => {
      const r = await app().request(path, as("r-token"));
      return [r.status, ((await r.json()) as { error: string }).error];
    };
    expect(await bad("/api/v1/tasks?date=yesterday")).toEqual([
      400,
      'date: "yesterday" is not a day; use YYYY-MM-DD, an RFC 3339 time (with or without its zone), or -24h / -7d',
    ]);
    expect(await bad("/api/v1/tasks?page=0")).toEqual([400, 'page: "0" is not a page number (1, 2 ...)']);
    expect(await bad("/api/v1/tasks?result=done")).toEqual([
      400,
      'result: "done" is not one of complete, error, alert, warn, running',
    ]);
    expect(await bad("/api/v1/days/cats")).toEqual([400, 'days of "cats"? use tasks, files or alerts']);
  });

  it("reads relative days and RFC 3339 times as UTC days", async () => {
    const r = await app().request("/api/v1/tasks?date=-36h", as("r-token"));
    expect(r.status).toBe(200);
    const t = await app().request("/api/v1/tasks?date=2024-01-15T23:30:00-02:00", as("r-token"));
    expect(((await t.json()) as { total: number }).total).toBe(0); // that instant is 2024-01-16 in UTC
  });

  it("needs the admin token for actions: 403 for a read token, and says how to enable them when none is set", async () => {
    expect((await app().request("/api/v1/refresh", { method: "POST", ...as("r-token") })).status).toBe(403);
    const ok = await app().request("/api/v1/refresh", { method: "POST", ...as("a-token") });
    expect(await ok.json()).toEqual({ changed: ["a.toml"], problems: [] });
    const none = app({ tokens: { read: "", admin: "" } });
    const r = await none.request("/api/v1/refresh", { method: "POST" });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toContain("set http.admin_token");
  });

  it("refuses a body over the limit with 413", async () => {
    const r = await app({ maxBodyBytes: 1024 }).request("/api/v1/refresh", {
      method: "POST",
      body: "x".repeat(5000),
      headers: { Authorization: "Bearer a-token", "Content-Type": "text/plain" },
    });
    expect(r.status).toBe(413);
  });

  it("answers 503 with the reason when the history cannot be read", async () => {
    const off: History = {
      ...history(),
      tasksOn: () => {
        throw new HistoryUnavailable("the history cache is off (cache.path is empty)");
      },
    };
    const r = await app({ history: off }).request("/api/v1/tasks", as("r-token"));
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: string }).error).toBe(
      "the history cache is off (cache.path is empty)",
    );
    // A person gets a page that says why, and where to go that still works.
    const page = await app({ history: off }).request("/web/tasks", as("r-token"));
    expect(page.status).toBe(503);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain("the history cache is off (cache.path is empty)");
    expect(html).toContain('href="/web/workflows"');
  });
});

describe("backload (flowlord's POST /backload)", () => {
  const backload = async (body: unknown) => {
    const execute = (body as { Execute?: boolean }).Execute === true;
    return {
      executed: execute,
      status: ["phase found in etl.toml"],
      tasks: [{ type: "load", info: "?day=2024-01-15" }],
    };
  };
  const post = (body: string, token: string) =>
    app({ backload }).request("/backload", {
      method: "POST",
      body,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    });

  it("answers a dry run to a read token, in flowlord's shape", async () => {
    const r = await post('{"Task":"load","At":"2024-01-15"}', "r-token");
    expect(await r.json()).toEqual({
      Status: "DRY RUN ONLY: phase found in etl.toml",
      Count: 1,
      Tasks: [{ type: "load", info: "?day=2024-01-15" }],
    });
  });

  it("executes only for the admin token, and refuses broken JSON with 400", async () => {
    expect((await post('{"Task":"load","Execute":true}', "r-token")).status).toBe(403);
    const ok = await post('{"Task":"load","Execute":true}', "a-token");
    expect(((await ok.json()) as { Status: string }).Status).toBe("Executed: phase found in etl.toml");
    const bad = await post("{nope", "a-token");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /^the backload request is not valid JSON/,
    );
  });
});

describe("the pages", () => {
  const cookie = { headers: { Cookie: "taskmaster_token=r-token" } };

  it("sends a browser without a token to the login form, and the form sets an HttpOnly SameSite cookie", async () => {
    const r = await app().request("/web/tasks?date=2024-01-15");
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/login?next=%2Fweb%2Ftasks");
    const wrong = await app().request("/login", {
      method: "POST",
      body: new URLSearchParams({ token: "nope" }),
    });
    expect(wrong.status).toBe(401);
    const ok = await app().request("/login", {
      method: "POST",
      body: new URLSearchParams({ token: "r-token", next: "/web/files" }),
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/web/files");
    expect(ok.headers.get("set-cookie")).toMatch(
      /^taskmaster_token=r-token; Path=\/; HttpOnly; SameSite=Strict$/,
    );
  });

  it("renders the day's tasks with counts, filters and the run link, escaping task data", async () => {
    const r = await app().request("/web/tasks?date=2024-01-15", cookie);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("<title>Tasks of 2024-01-15 · taskmaster</title>");
    expect(html).toContain('href="/web/tasks/run-1"');
    expect(html).toContain("?x=&lt;script&gt;");
    expect(html).not.toContain("?x=<script>");
    expect(html).toMatch(/badge complete">complete<\/span> 1/);
    expect(html).toMatch(/badge running">running<\/span> 1/);
  });

  it("serves flowlord's page paths and every view", async () => {
    for (const path of [
      "/web/task",
      "/web/files",
      "/web/alert",
      "/web/alerts",
      "/web/workflow",
      "/web/about",
    ]) {
      const r = await app({
        config: () => ({ nats: { url: "nats://x" }, slack: { url: "[hidden]" } }),
      }).request(`${path}?date=2024-01-15`, cookie);
      expect(r.status, path).toBe(200);
      expect(await r.text(), path).toContain("<nav>");
    }
    const about = await (
      await app({ config: () => ({ slack: { url: "[hidden]" } }) }).request("/web/about", cookie)
    ).text();
    expect(about).toContain("[hidden]");
    const run = await (await app().request("/web/tasks/run-1", cookie)).text();
    expect(run).toContain("Run run-1");
  });
});

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1, and every documented route answers (not 404) as documented", async () => {
    const doc = (await (await app().request("/api/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    const concrete = (p: string) =>
      p.replace("{id}", "run-1").replace("{kind}", "tasks").replace("{key}", "k1");
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (path === "/api/v1/events") continue; // a stream that stays open; tested against a running service
        const r = await app({
          backload: async () => ({ executed: false, status: [], tasks: [] }),
          metrics: () => "",
          rerun: async (t) => ({ sent: t, downstream: [] }),
          launch: async () => ({ status: [], tasks: [] }),
          actions: () => [],
        }).request(`${concrete(path)}?date=2024-01-15`, {
          method: method.toUpperCase(),
          headers: { Authorization: "Bearer a-token", "Content-Type": "application/json" },
          ...(method === "post" ? { body: "{}" } : {}),
        });
        expect(Object.keys(op.responses), `${method} ${path} answered ${r.status}`).toContain(
          String(r.status),
        );
      }
    }
  });
});

describe("sorting, the hourly chart and the calendar", () => {
  const cookie = { headers: { Cookie: "taskmaster_token=r-token" } };
  const page = async (path: string) => (await app().request(path, cookie)).text();
  /** A link's address as the browser reads it (attributes come HTML-escaped). */
  const url = (href: string | undefined) =>
    new URL((href ?? "").replaceAll("&amp;", "&"), "http://taskmaster");
  /** The link of a calendar day, found by the label a screen reader reads. */
  const dayLink = (html: string, label: string) =>
    new RegExp(`<a href="([^"]*)"([^>]*) aria-label="${label}"`).exec(html) ?? undefined;

  it("orders the API's tasks by the column and direction asked for", async () => {
    const keys = async (query: string) => {
      const r = await app().request(`/api/v1/tasks?date=2024-01-15&${query}`, as("r-token"));
      return ((await r.json()) as { rows: { key: string }[] }).rows.map((t) => t.key);
    };
    expect(await keys("sort=type&direction=asc")).toEqual(["k1", "k2"]); // extract, load
    expect(await keys("sort=type&direction=desc")).toEqual(["k2", "k1"]);
    expect(await keys("sort=created&direction=asc")).toEqual(["k1", "k2"]);
    expect(await keys("sort=type")).toEqual(["k1", "k2"]); // text starts from A
    expect(await keys("")).toEqual(["k2", "k1"]); // newest first
  });

  it("refuses a sort or direction it does not know with 400, naming the parameter and the choices", async () => {
    const bad = async (query: string) => {
      const r = await app().request(`/api/v1/tasks?${query}`, as("r-token"));
      return [r.status, ((await r.json()) as { error: string }).error];
    };
    expect(await bad("sort=name")).toEqual([
      400,
      'sort: "name" is not one of created, type, job, result, queue, run, id, info, kind',
    ]);
    expect(await bad("sort=created%20DESC%3B%20DROP%20TABLE%20tasks")).toEqual([
      400,
      'sort: "created DESC; DROP TABLE tasks" is not one of created, type, job, result, queue, run, id, info, kind',
    ]);
    expect(await bad("sort=type&direction=up")).toEqual([400, 'direction: "up" is not one of asc, desc']);
    expect((await app().request("/web/tasks?sort=name", cookie)).status).toBe(400);
  });

  it("draws the day's tasks per hour under the counts, with what each segment is on hover", async () => {
    const html = await page("/web/tasks?date=2024-01-15");
    expect(html).toContain('role="img" aria-label="Tasks per hour of 2024-01-15 (UTC): 2 in all');
    expect(html).toContain("<title>03:00 · complete 1</title>");
    expect(html).toContain("<title>04:00 · running 1</title>");
    expect(html.indexOf('class="counts"')).toBeLessThan(html.indexOf("<svg"));
    expect(html).toMatch(/class="swatch complete" aria-hidden="true"><\/span> complete 1/);
    const loads = await page("/web/tasks?date=2024-01-15&type=load");
    expect(loads).toContain("<title>04:00 · running 1</title>");
    expect(loads).not.toContain("03:00 · complete");
    const empty = await page("/web/tasks?date=2024-01-20");
    expect(empty).toContain("no tasks this day");
    expect(empty).not.toContain("<svg");
  });

  it("shows the month with the days that have data marked, and its links keep the filters", async () => {
    const html = await page(
      "/web/tasks?date=2024-01-15&type=load&result=running&id=run-1&sort=type&direction=desc&page=2",
    );
    expect(html).toContain("<b>January 2024</b>");
    const shown = dayLink(html, "2024-01-15, today, has data");
    expect(shown?.[2]).toContain('class="has-data today" title="has data" aria-current="date"');
    const before = dayLink(html, "2024-01-14");
    expect(before?.[2]).toBe("");
    const kept = { type: "load", result: "running", id: "run-1", sort: "type", direction: "desc" };
    const params = (href: string | undefined) => Object.fromEntries(url(href).searchParams);
    expect(url(before?.[1]).pathname).toBe("/web/tasks");
    expect(params(before?.[1])).toEqual({ ...kept, date: "2024-01-14" });
    const previous = /<a href="([^"]*)" rel="prev"/.exec(html)?.[1];
    expect(params(previous)).toEqual({ ...kept, date: "2023-12-15" });
    const next = /<a href="([^"]*)" rel="next"/.exec(html)?.[1];
    expect(params(next)).toEqual({ ...kept, date: "2024-02-15" });
    expect(params(/<a href="([^"]*)">today<\/a>/.exec(html)?.[1])).toEqual({ ...kept, date: "2024-01-15" });
    expect(html).toContain('<input type="date" name="date" value="2024-01-15"/>');
  });

  it("makes the column headers sort links: the active one flips and shows its direction", async () => {
    const html = await page("/web/tasks?date=2024-01-15&type=load&sort=type&direction=desc&page=2");
    const task =
      /<th aria-sort="descending"><a href="([^"]*)">task<span aria-hidden="true"> ▼<\/span><\/a><\/th>/.exec(
        html,
      );
    expect(Object.fromEntries(url(task?.[1]).searchParams)).toEqual({
      type: "load",
      sort: "type",
      direction: "asc",
      date: "2024-01-15",
    });
    const queued = /<th><a href="([^"]*)">queued<\/a><\/th>/.exec(html);
    expect(Object.fromEntries(url(queued?.[1]).searchParams)).toEqual({
      type: "load",
      sort: "queue",
      direction: "desc",
      date: "2024-01-15",
    });
    expect(html).toMatch(/<th><a href="[^"]*sort=info&amp;direction=asc[^"]*">info<\/a><\/th>/);
    expect(html).toContain("<th>msg</th>");
    expect(html).toContain('<input type="hidden" name="sort" value="type"/>');
    const ascending = await page("/web/tasks?date=2024-01-15&sort=created&direction=asc");
    expect(ascending).toMatch(
      /<th aria-sort="ascending"><a [^>]*>created \(UTC\)<span aria-hidden="true"> ▲/,
    );
    // The rows follow: k1 (03:04) before k2 (04:00).
    expect(ascending.indexOf("03:04:05")).toBeLessThan(ascending.indexOf("04:00:00"));
  });

  it("gives the files and alerts pages the calendar without filters, and a date input", async () => {
    for (const path of ["/web/files", "/web/alerts"]) {
      const html = await page(`${path}?date=2024-01-15`);
      expect(dayLink(html, "2024-01-14")?.[1], path).toBe(`${path}?date=2024-01-14`);
      expect(dayLink(html, "2024-01-15, today, has data")?.[2], path).toContain('title="has data"');
      expect(html, path).toContain('<input type="date" name="date" value="2024-01-15"/>');
    }
  });
});
