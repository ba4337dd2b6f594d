// People's actions over the API (retry, rerun alone or with what follows, launch a phase) and their audit trail,
// written to and read back from a real SQLite file; and the CSRF wall in front of cookie-authenticated actions.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recentActions } from "../internal/cache/index.ts";
import { InputError } from "../internal/errors/index.ts";
import { buildSnapshot } from "../internal/workflow/index.ts";
import { type HistoryFile, historyFile, task, tempDir } from "../test/helpers/records.ts";
import { type AppDeps, createApp } from "./app.ts";
import { historyOf } from "./fixture.ts";
import type { History } from "./history.ts";

let store: HistoryFile;
let cleanup: () => void;
const cleanups: (() => void)[] = [];
beforeAll(async () => {
  const dir = tempDir();
  cleanup = dir.remove;
  store = historyFile(join(dir.dir, "taskmaster.db"));
  store.taskEmitted(task({ key: "k1", id: "run-1", created: "2024-01-15T03:04:05Z" }));
  store.taskEmitted(task({ key: "copy", id: "run-1", kind: "failed", created: "2024-01-15T03:05:00Z" }));
});
afterAll(async () => {
  store.close();
  cleanup();
  for (const clean of cleanups) clean();
});

const db = () => {
  const d = store.db;
  if (!d) throw new Error("closed");
  return d;
};
const history = (): History => historyOf(store);

const reruns: { key: string; downstream: boolean }[] = [];
function app(over: Partial<AppDeps> = {}) {
  return createApp({
    tokens: { read: "r-token", admin: "a-token" },
    version: "0.1.0",
    state: () => ({
      nats: "connected",
      workflows: 1,
      phases: 3,
      ready: true,
      startedAt: new Date("2024-01-15T00:00:00Z"),
      cache: { mode: "ok", reason: "", pending: 0 },
      engine: { inFlight: 0, publishing: 0, oldestMs: 0, stuck: false },
    }),
    history: history(),
    reload: async () => ({ changed: [], problems: [] }),
    rerun: async (t, { downstream }) => {
      reruns.push({ key: t.key, downstream });
      return { sent: { type: t.type, id: t.id }, downstream: downstream ? ["load", "report"] : [] };
    },
    launch: async (body) => {
      if (body.phase === "boom") throw new InputError("no phase boom in workflow etl.toml");
      return { status: ["phase found in etl.toml"], tasks: [{ type: "extract", info: body.info || "?x" }] };
    },
    audit: async (entry) => {
      store.actionTaken({ ...entry, detail: JSON.stringify(entry.detail), at: new Date().toISOString() });
    },
    actions: (limit) => recentActions(db(), limit),
    now: () => new Date("2024-01-15T12:00:00Z"),
    ...over,
  });
}

const admin = (extra: Record<string, string> = {}) => ({
  Authorization: "Bearer a-token",
  "Content-Type": "application/json",
  ...extra,
});

describe("actions", () => {
  it("retries a task, and the audit trail says who (role, token fingerprint, given name), what and the outcome", async () => {
    const r = await app().request("/api/v1/tasks/k1/retry", {
      method: "POST",
      headers: admin({ "X-Taskmaster-Actor": "nightly-fix <script>" }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      sent: { type: "extract", id: "run-1" },
      downstream: ["load", "report"],
    });
    const trail = (await (await app().request("/api/v1/actions", { headers: admin() })).json()) as {
      actions: { action: string; actor: string; detail: string; outcome: string; tasks: number }[];
    };
    const last = trail.actions[0];
    expect(last).toMatchObject({ action: "retry", outcome: "ok", tasks: 1 });
    expect(last?.actor).toMatch(/^admin token [0-9a-f]{8} \(nightly-fix script\)$/);
    expect(last?.actor).not.toContain("a-token");
    expect(JSON.parse(last?.detail ?? "{}")).toMatchObject({ key: "k1", id: "run-1", downstream: true });
  });

  it("re-runs a task alone with downstream: false, and refuses a downstream that is not a boolean", async () => {
    const r = await app().request("/api/v1/tasks/k1/rerun", {
      method: "POST",
      headers: admin(),
      body: JSON.stringify({ downstream: false }),
    });
    expect(await r.json()).toMatchObject({ downstream: [] });
    expect(reruns.at(-1)).toEqual({ key: "k1", downstream: false });
    const bad = await app().request("/api/v1/tasks/k1/rerun", {
      method: "POST",
      headers: admin(),
      body: JSON.stringify({ downstream: "no" }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "downstream: must be true or false" });
  });

  it("refuses a failed-topic copy, an unknown key, a read token (403) and no token (401)", async () => {
    const post = (path: string, headers: Record<string, string>) =>
      app().request(path, { method: "POST", headers });
    expect((await post("/api/v1/tasks/copy/retry", admin())).status).toBe(400);
    expect((await post("/api/v1/tasks/nope/rerun", admin())).status).toBe(404);
    const read = await post("/api/v1/tasks/k1/retry", { Authorization: "Bearer r-token" });
    expect(read.status).toBe(403);
    expect(((await read.json()) as { error: string }).error).toContain("admin token");
    expect((await post("/api/v1/phases/launch", {})).status).toBe(401);
  });

  it("launches a phase now, names what is missing, and records a refused launch as failed", async () => {
    const launch = (body: unknown) =>
      app().request("/api/v1/phases/launch", {
        method: "POST",
        headers: admin(),
        body: JSON.stringify(body),
      });
    const ok = await launch({
      workflow: "etl.toml",
      phase: "extract",
      meta: { region: "eu" },
      info: "?by=hand",
    });
    expect(await ok.json()).toEqual({
      status: ["phase found in etl.toml"],
      count: 1,
      tasks: [{ type: "extract", info: "?by=hand" }],
    });
    const missing = await launch({ workflow: "etl.toml" });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toContain("workflow and phase are required");
    const badMeta = await launch({ workflow: "etl.toml", phase: "extract", meta: { region: 1 } });
    expect(await badMeta.json()).toEqual({ error: "meta.region: must be a string" });
    const refused = await launch({ workflow: "etl.toml", phase: "boom" });
    expect(refused.status).toBe(400);
    const trail = recentActions(db(), 2);
    expect(trail[0]).toMatchObject({
      action: "launch",
      outcome: "failed: no phase boom in workflow etl.toml",
    });
    expect(trail[1]).toMatchObject({ action: "launch", outcome: "ok", tasks: 1 });
  });

  it("reads the trail with a limit, and refuses a bad one", async () => {
    const r = await app().request("/api/v1/actions?limit=1", { headers: admin() });
    expect(((await r.json()) as { actions: unknown[] }).actions).toHaveLength(1);
    const bad = await app().request("/api/v1/actions?limit=0", { headers: admin() });
    expect(bad.status).toBe(400);
  });
});

describe("CSRF", () => {
  const cookie = "taskmaster_token=a-token";
  it("pages carry a token; a cookie-authenticated action needs it, a bearer one does not", async () => {
    const a = app();
    const page = await (await a.request("/web/about", { headers: { Cookie: cookie } })).text();
    const token = /<meta name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? "";
    expect(token).toMatch(/^[\w-]{40,}$/);

    const without = await a.request("/api/v1/tasks/k1/retry", {
      method: "POST",
      headers: { Cookie: cookie },
    });
    expect(without.status).toBe(403);
    expect(((await without.json()) as { error: string }).error).toContain("CSRF token");
    const withToken = await a.request("/api/v1/tasks/k1/retry", {
      method: "POST",
      headers: { Cookie: cookie, "X-CSRF-Token": token },
    });
    expect(withToken.status).toBe(200);
    // A form post carries it as _csrf.
    const form = await a.request("/api/v1/refresh", {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: `_csrf=${encodeURIComponent(token)}`,
    });
    expect(form.status).toBe(200);
    const bearer = await a.request("/api/v1/refresh", { method: "POST", headers: admin() });
    expect(bearer.status).toBe(200);
  });

  it("signing in again over a stale cookie works (the login form needs no page token)", async () => {
    const r = await app().request("/login", {
      method: "POST",
      headers: { Cookie: "taskmaster_token=old-token", "Content-Type": "application/x-www-form-urlencoded" },
      body: "token=a-token&next=%2Fweb%2Fabout",
    });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/web/about");
  });

  it("a token from another session, or a request from another site, is refused", async () => {
    const a = app();
    const readPage = await (
      await a.request("/web/about", { headers: { Cookie: "taskmaster_token=r-token" } })
    ).text();
    const readToken = /<meta name="csrf-token" content="([^"]+)"/.exec(readPage)?.[1] ?? "";
    const r = await a.request("/api/v1/refresh", {
      method: "POST",
      headers: { Cookie: cookie, "X-CSRF-Token": readToken },
    });
    expect(r.status).toBe(403);
    const foreign = await a.request("http://localhost/api/v1/refresh", {
      method: "POST",
      headers: { ...admin(), Origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: string }).error).toContain("https://evil.example");
  });
});

describe("the backload page and its guard", () => {
  const snapshot = buildSnapshot("/wf", [
    {
      name: "etl.toml",
      path: "/wf/etl.toml",
      text: `
[[phase]]
task = "extract"
rule = "cron=0 * * * *"
template = "?day={yyyy}-{mm}-{dd}&region={meta:region}"
`,
    },
  ]);

  it("lists the live set's phases; executing is offered to the admin only", async () => {
    const a = app({ workflows: () => snapshot });
    const asRead = await (
      await a.request("/web/backload", { headers: { Cookie: "taskmaster_token=r-token" } })
    ).text();
    expect(asRead).toContain('value="etl.toml|extract"');
    expect(asRead).toContain('id="backload-meta-region"');
    expect(asRead).toMatch(/<button[^>]*id="backload-execute"[^>]*disabled/);
    const asAdmin = await (
      await a.request("/web/backload?phase=etl.toml%7Cextract", {
        headers: { Cookie: "taskmaster_token=a-token" },
      })
    ).text();
    expect(asAdmin).not.toMatch(/<button[^>]*id="backload-execute"[^>]*disabled/);
    const script = await a.request("/static/backload.js");
    expect(script.headers.get("content-type")).toContain("javascript");
  });

  it("a dry run that names a meta-file needs the admin token, since the server would read that file", async () => {
    const a = app({ backload: async () => ({ executed: false, status: ["ok"], count: 0, tasks: [] }) });
    const body = JSON.stringify({ Task: "extract", "meta-file": "/etc/passwd" });
    const asRead = await a.request("/api/v1/backload", {
      method: "POST",
      headers: { Authorization: "Bearer r-token", "Content-Type": "application/json" },
      body,
    });
    expect(asRead.status).toBe(403);
    const plain = await a.request("/api/v1/backload", {
      method: "POST",
      headers: { Authorization: "Bearer r-token", "Content-Type": "application/json" },
      body: JSON.stringify({ Task: "extract" }),
    });
    expect(plain.status).toBe(200);
    const asAdmin = await a.request("/api/v1/backload", { method: "POST", headers: admin(), body });
    expect(asAdmin.status).toBe(200);
  });
});

describe("flowlord's endpoints and the API docs, mounted in the app", () => {
  it("serves /recap, /notify (503 without Slack), /workflow behind the read token, and Swagger UI at /api/docs", async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    writeFileSync(join(dir, "etl.toml"), '[[phase]]\ntask = "extract"\nrule = "cron=@daily"\n');
    const a = app({
      workflowRoot: () => dir,
      history: { ...history(), recapOn: () => [] } as History,
    });
    expect((await a.request("/recap?date=2024-01-15")).status).toBe(401);
    const recap = await a.request("/recap?date=2024-01-15", {
      headers: { ...admin(), Accept: "application/json" },
    });
    expect(await recap.json()).toEqual({});
    const notify = await a.request("/notify", { headers: admin() });
    expect(notify.status).toBe(503);
    expect(await notify.text()).toContain("slack.url");
    expect(await (await a.request("/workflow", { headers: admin() })).text()).toBe("etl.toml\n");
    const file = await a.request("/workflow/etl.toml", { headers: admin() });
    expect(file.headers.get("content-type")).toContain("application/toml");
    expect((await a.request("/workflow/..%2f..%2fetc%2fpasswd", { headers: admin() })).status).toBe(404);
    const docs = await a.request("/api/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/api/docs/assets/");
  });
});

describe("the workflows page and flowlord's /info from the live set", () => {
  it("draws the graph, gives fire times, and /info has flowlord's workflow map", async () => {
    const snapshot = buildSnapshot("/wf", [
      {
        name: "etl.toml",
        path: "/wf/etl.toml",
        text: `
[[phase]]
task = "extract"
rule = "cron=0 * * * *"

[[phase]]
task = "load"
dependsOn = "extract"
`,
      },
    ]);
    const a = app({ workflows: () => snapshot });
    const page = await (await a.request("/web/workflows", { headers: admin() })).text();
    expect(page).toContain("<svg");
    expect(page).toContain("2024-01-15T13:00:00Z"); // the next slot after 12:00
    // The admin gets "reload workflows" and a "run now" per phase; a reader does not.
    expect(page).toContain('data-post="/api/v1/refresh"');
    expect(page).toContain(
      'data-body="{&quot;workflow&quot;:&quot;etl.toml&quot;,&quot;phase&quot;:&quot;load&quot;}"',
    );
    const asRead = await (
      await a.request("/web/workflows", { headers: { Authorization: "Bearer r-token" } })
    ).text();
    expect(asRead).not.toContain("run now");
    const info = (await (await a.request("/info", { headers: admin() })).json()) as {
      app_name: string;
      workflow: Record<string, Record<string, { Next: string; Child: string[] }>>;
    };
    expect(info.app_name).toBe("taskmaster");
    expect(info.workflow["etl.toml"]?.extract).toMatchObject({
      Next: "2024-01-15T13:00:00Z",
      Child: ["load"],
    });
  });
});
