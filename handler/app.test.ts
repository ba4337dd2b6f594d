// The API through `app.request()`: probes, tokens (401/403), bad input (400), oversized bodies (413), the cache
// off (503), and the history read back from a real SQLite file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryFile } from "../test/helpers/records.ts";
import type { AppDeps } from "./app.ts";
import { historyOf, oneRunStore, testApp } from "./fixture.ts";
import { type History, HistoryUnavailable } from "./history.ts";

let store: HistoryFile;
let close: () => void;
beforeAll(async () => {
  ({ store, close } = oneRunStore());
});
afterAll(() => close());

// Files, alerts, phases and the recap are other tests' business: empty here, and the calendar has the run's day.
const history = (): History =>
  historyOf(store, {
    filesOn: () => [],
    alertsOn: () => [],
    daysWith: () => ["2024-01-15"],
    phases: () => [],
    recapOn: () => [],
  });

function app(over: Partial<AppDeps> = {}) {
  return testApp(history(), over);
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
        engine: { inFlight: 0, publishing: 0, oldestMs: 0, stuck: false },
      }),
    });
    const r = await notReady.request("/readyz");
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({
      ready: false,
      nats: "reconnecting",
      workflows: 0,
      stuck: false,
      oldestInFlightSeconds: 0,
    });
  });

  it("answers readyz with 503 while the engine is stuck, saying how long its oldest message has been held", async () => {
    const stuck = app({
      state: () => ({
        nats: "connected",
        workflows: 2,
        phases: 5,
        ready: false,
        startedAt: new Date(),
        cache: { mode: "ok", reason: "", pending: 0 },
        engine: { inFlight: 260, publishing: 1, oldestMs: 301_500, stuck: true },
      }),
    });
    const r = await stuck.request("/readyz");
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({
      ready: false,
      nats: "connected",
      workflows: 2,
      stuck: true,
      oldestInFlightSeconds: 301,
    });
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

  it("answers an unexpected error with a 500 that names no internal detail, and reports the error with its reference", async () => {
    const reported: [string, Error][] = [];
    const failing = app({
      history: historyOf(store, {
        tasksOn: () => {
          throw new Error("SQLITE_IOERR: disk I/O error at /var/lib/taskmaster/cache.db");
        },
      }),
      reportError: (where, error) => reported.push([where, error]),
    });
    const r = await failing.request("/api/v1/tasks?date=2024-01-15", as("r-token"));
    expect(r.status).toBe(500);
    const { error } = (await r.json()) as { error: string };
    expect(error).toMatch(/^internal error \(ref [0-9a-f]{8}\); the service log has the details$/);
    expect(error).not.toContain("cache.db");
    const ref = /ref ([0-9a-f]{8})/.exec(error)?.[1];
    expect(reported.map(([where, e]) => [where, e.message])).toEqual([
      [`http GET /api/v1/tasks (ref ${ref})`, "SQLITE_IOERR: disk I/O error at /var/lib/taskmaster/cache.db"],
    ]);
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
  // A backload of 250 tasks, answering with the page asked for.
  const backload: AppDeps["backload"] = async (body, page) => {
    const execute = (body as { Execute?: boolean }).Execute === true;
    const all = Array.from({ length: 250 }, (_, i) => ({ type: "load", info: `?n=${i + 1}` }));
    const first = (page.page - 1) * page.size;
    return {
      executed: execute,
      status: ["phase found in etl.toml"],
      count: all.length,
      tasks: all.slice(first, first + page.size),
    };
  };
  const post = (body: string, token: string, query = "") =>
    app({ backload }).request(`/backload${query}`, {
      method: "POST",
      body,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    });

  it("answers a dry run to a read token in flowlord's shape, with the count and one page of the tasks", async () => {
    const r = await post('{"Task":"load","From":"2024-01-01","To":"2024-09-06"}', "r-token");
    const first = (await r.json()) as { Tasks: { info: string }[] };
    expect({ ...first, Tasks: first.Tasks.length }).toEqual({
      Status: "DRY RUN ONLY: phase found in etl.toml",
      Count: 250,
      Tasks: 100,
      Page: 1,
      PageSize: 100,
      Pages: 3,
    });
    expect(first.Tasks[0]).toEqual({ type: "load", info: "?n=1" });
    const last = await (await post('{"Task":"load"}', "r-token", "?page=3")).json();
    expect(last).toMatchObject({ Count: 250, Page: 3, Pages: 3 });
    expect((last as { Tasks: { info: string }[] }).Tasks.map((t) => t.info).slice(0, 2)).toEqual([
      "?n=201",
      "?n=202",
    ]);
    const sized = await (await post('{"Task":"load"}', "r-token", "?size=1000")).json();
    expect(sized).toMatchObject({ Count: 250, Page: 1, PageSize: 1000, Pages: 1 });
  });

  it("refuses a page past the integer range with 400, for tasks and backloads alike", async () => {
    const huge = "99999999999999999999";
    const tasks = await app().request(`/api/v1/tasks?date=2024-01-15&page=${huge}`, as("r-token"));
    expect(tasks.status).toBe(400);
    expect(((await tasks.json()) as { error: string }).error).toBe(
      `page: "${huge}" is past any list: at 100 a page, the last possible page is 90071992547409`,
    );
    expect((await app().request("/api/v1/tasks?page=1e300", as("r-token"))).status).toBe(400);
    const web = await app().request(`/web/tasks?page=${huge}`, as("r-token"));
    expect(web.status).toBe(400);
    const backloaded = await post('{"Task":"load"}', "r-token", `?page=${huge}&size=1000`);
    expect(backloaded.status).toBe(400);
    expect(((await backloaded.json()) as { error: string }).error).toContain(
      "last possible page is 9007199254740",
    );
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

  it("shows on the history's about page each engine running and the projection's lag and rebuild", async () => {
    const engine = {
      id: "e1",
      host: "sched-1",
      pid: 4242,
      version: "1.0.0",
      since: "2024-01-15T09:00:00.000Z",
      nats: "connected",
      workflows: 3,
      phases: 9,
      inFlight: 7,
      oldestMs: 1200,
      stuck: false,
    };
    const state = (engines: (typeof engine)[]) => () => ({
      nats: "connected",
      workflows: 3,
      phases: 9,
      ready: true,
      startedAt: new Date(),
      cache: { mode: "rebuilding", reason: "", pending: 900 },
      engine: { inFlight: 7, publishing: 0, oldestMs: 1200, stuck: false },
      engines,
      history: {
        mode: "rebuilding",
        reason: "the file was corrupt",
        since: "2024-01-15T10:00:00.000Z",
        path: "/data/history.db",
        behind: 900,
        lost: 0,
        written: 100,
        rebuild: { done: 100, total: 1000 },
      },
    });
    const about = await (await app({ state: state([engine]) }).request("/web/about", cookie)).text();
    expect(about).toContain("sched-1 pid 4242");
    expect(about).toContain("the file was corrupt (100 of 1000 messages)");
    expect(about).toContain("900 messages not projected yet");
    const none = await (await app({ state: state([]) }).request("/web/about", cookie)).text();
    expect(none).toContain("No engine has written a heartbeat in the last 30 s");
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
          backload: async () => ({ executed: false, status: [], count: 0, tasks: [] }),
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
