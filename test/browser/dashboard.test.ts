// The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against a running taskmaster with a
// real nats-server and workers: sign in, see the tasks a run produced, filter them, open a run, visit every page,
// and none of it trips the pages' Content-Security-Policy. Screenshots are saved to test/artifacts/ for people to
// look at.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import { startWorker, type Worker } from "../../internal/worker/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { fakeWorkers, workflowDir } from "../runtime/harness.ts";
import { startTaskmaster, type TaskmasterProcess } from "../runtime/process.ts";

const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));
let server: NatsServer;
let nc: NatsConnection;
let taskmaster: TaskmasterProcess;
let workers: Worker[] = [];
let browser: Browser;
let page: Page;
let base = "";
/** What the pages' Content-Security-Policy refused, as the browser reported it, over the whole file. */
const refused: string[] = [];
// The slow task's worker finishes only when the test says so.
let finishSlow: () => void = () => {};
const slowFinished = new Promise<void>((resolve) => {
  finishSlow = resolve;
});

const workflow = `
[[phase]]
task = "extract"
rule = "cron=@yearly"

[[phase]]
task = "transform"
dependsOn = "extract"
rule = "meta=part:a,b,c"
template = "?part={meta:part}&day={yyyy}-{mm}-{dd}"

[[phase]]
task = "load"
dependsOn = "transform"
template = "?from={meta:part}"

[[phase]]
task = "slow"
dependsOn = "extract"
template = "?waits=for-the-test"
`;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "browser-test" });
  const dir = workflowDir({ "etl.toml": workflow });
  writeFileSync(join(dir, "read.token"), "browser-read-token");
  writeFileSync(join(dir, "admin.token"), "browser-admin-token");
  taskmaster = await startTaskmaster(server.url, dir, [
    "--http.read_token_file",
    join(dir, "read.token"),
    "--http.admin_token_file",
    join(dir, "admin.token"),
  ]);
  base = String(taskmaster.lines.find((l) => l.msg === "taskmaster running")?.http);
  // transform completes, except part c which fails (no retries): a failed task and an alert to look at.
  workers = fakeWorkers(nc, ["transform", "load"], (t) =>
    t.info.includes("part=c") ? { result: "error", msg: "part c is <broken>" } : { result: "complete" },
  );
  workers.push(
    startWorker(nc, {
      topic: "slow",
      concurrency: 1,
      graceMs: 1000,
      handler: async () => {
        await slowFinished;
        return { result: "complete" };
      },
    }),
  );
  const created = `${new Date().toISOString().slice(0, 19)}Z`;
  await jetstream(nc).publish(
    "done",
    taskJson({
      type: "extract",
      info: "",
      id: "run-42",
      result: "complete",
      created,
      meta: "workflow=etl.toml&cron=2026-11-23T00",
    }),
  );
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // Every document the page loads reports its policy violations back here (the binding survives navigations).
  await page.exposeBinding("reportRefused", (_source, what: string) => void refused.push(what));
  await page.addInitScript(`document.addEventListener("securitypolicyviolation", (e) =>
    window.reportRefused(location.pathname + ": " + e.violatedDirective + " refused " + (e.blockedURI || "inline")));`);
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/.test(message.text()))
      refused.push(message.text());
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(workers.map((w) => w.stop()));
  await taskmaster?.kill("SIGTERM");
  await nc?.close();
  await server?.stop();
});

const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

describe("the dashboard in Chromium", () => {
  it("asks for the token once, then shows the run's tasks with their results", async () => {
    await page.goto(`${base}/web/tasks`);
    expect(page.url()).toContain("/login");
    await page.fill("input[name=token]", "browser-admin-token");
    await page.click("button[type=submit]");
    await page.waitForURL(/\/web\/tasks/);
    // Wait for the whole run (3 transforms, 2 loads, the slow one) to be recorded, reloading as a person would.
    await waitFor(
      async () => {
        await page.reload();
        return (await page.locator("tbody tr").count()) >= 8;
      },
      { timeoutMs: 20_000, intervalMs: 500, message: "the run's tasks on the page" },
    );
    const results = await page.locator("tbody tr td:first-child").allTextContents();
    // extract (its done arrived for a task this taskmaster did not emit, so it is a record of its own), two
    // transforms and their two loads.
    expect(results.filter((r) => r === "complete")).toHaveLength(5);
    expect(results.filter((r) => r === "error")).toHaveLength(1);
    await expect(page.locator("td.wrap", { hasText: "part c is <broken>" }).count()).resolves.toBe(1);
    await shot("tasks");
  }, 40_000);

  it("shows a running task turn complete without a reload (server-sent events)", async () => {
    await page.goto(`${base}/web/tasks?type=slow`);
    const result = page.locator("tbody tr td:first-child");
    expect(await result.allTextContents()).toEqual(["running"]);
    finishSlow();
    await page.locator("tbody tr td:first-child", { hasText: "complete" }).waitFor({ timeout: 10_000 });
    expect(await result.allTextContents()).toEqual(["complete"]);
    await shot("live");
  });

  it("filters by result and opens a run's chain", async () => {
    await page.goto(`${base}/web/tasks`);
    await page.selectOption("select[name=result]", "error");
    await page.click("form.filters button[type=submit]");
    await page.waitForURL(/result=error/);
    expect(await page.locator("tbody tr").count()).toBe(1);
    await page.click("tbody tr a");
    await page.waitForURL(/\/web\/tasks\/run-42/);
    expect(await page.locator("h1").textContent()).toBe("Run run-42");
    expect(await page.locator("tbody tr").count()).toBeGreaterThanOrEqual(5);
    await shot("run");
  });

  it("shows the alert, the workflow phases and the about page", async () => {
    await page.goto(`${base}/web/alerts`);
    await waitFor(
      async () => {
        await page.reload();
        return (await page.locator("tbody tr").count()) >= 1;
      },
      { timeoutMs: 10_000, intervalMs: 500, message: "the alert" },
    );
    expect(await page.locator("tbody").textContent()).toContain("transform failed after 0 retries");
    await shot("alerts");
    await page.goto(`${base}/web/workflows`);
    expect(await page.locator("tbody tr").count()).toBe(4);
    await shot("workflows");
    await page.goto(`${base}/web/files`);
    expect(await page.locator("h1").textContent()).toMatch(/^Files of \d{4}-\d{2}-\d{2}$/);
    await page.goto(`${base}/web/about`);
    expect(await page.locator("main").textContent()).toContain("connected");
    expect(await page.locator("pre").textContent()).not.toContain("browser-read-token");
    await shot("about");
  });

  it("sorts the tasks by a column, both ways, keeping the filter", async () => {
    await page.goto(`${base}/web/tasks?result=complete`);
    const types = () => page.locator("tbody tr td:nth-child(2)").allTextContents();
    await page.click("thead a:has-text('task')");
    await page.waitForURL(/sort=type&direction=asc/);
    expect(page.url()).toContain("result=complete");
    const asc = await types();
    expect(asc).toEqual([...asc].sort());
    expect(new Set(asc)).toEqual(new Set(["extract", "load", "slow", "transform"]));
    await page.click("thead a:has-text('task')");
    await page.waitForURL(/sort=type&direction=desc/);
    const desc = await types();
    expect(desc).toEqual([...asc].reverse());
    expect(await page.locator("thead th[aria-sort=descending]").count()).toBe(1);
    await shot("tasks-sorted");
  });

  it("retries the failed task from its run page; it runs again (and fails again, as its worker says)", async () => {
    await page.goto(`${base}/web/tasks/run-42`);
    const errors = page.locator("tbody tr", { hasText: "part c is <broken>" });
    const before = await errors.count();
    page.once("dialog", (dialog) => void dialog.accept());
    await errors.first().locator("button", { hasText: "retry" }).click();
    await page.locator("#action-result", { hasText: "Retried: transform" }).waitFor({ timeout: 10_000 });
    await waitFor(
      async () => {
        await page.reload();
        return (await errors.count()) === before + 1;
      },
      { timeoutMs: 15_000, intervalMs: 500, message: "the retried task's record" },
    );
    await shot("run-retried");
  });

  it("previews a backload with the planner, then executes it", async () => {
    await page.goto(`${base}/web/backload`);
    await page.selectOption("#backload-phase", "etl.toml|transform");
    await page.fill("#backload-at", "2026-01-02");
    await page.click("#backload-preview");
    await page.locator("#backload-result[data-state=preview]").waitFor({ timeout: 10_000 });
    expect(await page.locator("#backload-tasks tbody tr").count()).toBe(3);
    expect(await page.locator("#backload-status").textContent()).toContain("DRY RUN ONLY");
    expect(await page.locator("#backload-tasks tbody").textContent()).toContain("?part=b&day=2026-01-02");
    await shot("backload-preview");
    let question = "";
    page.once("dialog", (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await page.click("#backload-execute");
    await page.locator("#backload-result[data-state=executed]").waitFor({ timeout: 10_000 });
    expect(question).toBe("This will create 3 tasks. Execute?");
    expect(await page.locator("#backload-status").textContent()).toContain("Executed");
    // The three transforms were published, ran, and their loads followed (b's and a's; c fails).
    await page.goto(`${base}/web/tasks?type=load`);
    await waitFor(
      async () => {
        await page.reload();
        const infos = await page.locator("tbody tr td:nth-child(4)").allTextContents();
        return infos.filter((i) => i.includes("from=")).length >= 4;
      },
      { timeoutMs: 15_000, intervalMs: 500, message: "the backloaded transforms' loads" },
    );
    await shot("backload-executed");
  });

  it("draws the workflow graph and serves the API docs locally", async () => {
    await page.goto(`${base}/web/workflows`);
    expect(await page.locator("svg[role=img]").count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator("svg[role=img]").first().textContent()).toContain("transform");
    await shot("workflows");
    // Run the root phase now: the planner makes its task and the runtime publishes it.
    page.once("dialog", (dialog) => void dialog.accept());
    await page.locator("tr#phase-etl\\.toml-extract button", { hasText: "run now" }).click();
    await page.locator("#action-result", { hasText: "Launched: extract" }).waitFor({ timeout: 10_000 });
    await page.goto(`${base}/api/docs`);
    await page.locator(".swagger-ui .opblock").first().waitFor({ timeout: 15_000 });
    expect(await page.locator(".swagger-ui .opblock").count()).toBeGreaterThan(10);
    await shot("api-docs");
  });

  it("works on a phone-sized screen, and in dark mode", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.context().addCookies([{ name: "taskmaster_token", value: "browser-admin-token", url: base }]);
    await phone.goto(`${base}/web/tasks`);
    expect(await phone.locator("h1").textContent()).toMatch(/^Tasks of /);
    expect(await phone.locator("tbody tr").count()).toBeGreaterThan(0);
    const width = await phone.evaluate("document.documentElement.scrollWidth");
    expect(width).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(artifacts, "phone-tasks.png"), fullPage: true });
    await phone.close();
    // And in the system's dark mode: dark background, light text.
    const dark = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: "dark" });
    await dark.context().addCookies([{ name: "taskmaster_token", value: "browser-admin-token", url: base }]);
    await dark.goto(`${base}/web/workflows`);
    const colors = await dark.evaluate(
      "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]",
    );
    expect(colors).toEqual(["rgb(13, 17, 23)", "rgb(230, 237, 243)"]);
    await dark.screenshot({ path: join(artifacts, "dark-workflows.png"), fullPage: true });
    await dark.close();
  });

  it("shows a file that arrived, and why nothing matched it", async () => {
    const stat = {
      path: "/data/in/report-2026-11-23.csv",
      size: 2048,
      last_modified: new Date().toISOString(),
    };
    await jetstream(nc).publish("files", JSON.stringify(stat));
    await page.goto(`${base}/web/files`);
    await waitFor(
      async () => {
        await page.reload();
        return (await page.locator("tbody tr").count()) >= 1;
      },
      { timeoutMs: 10_000, intervalMs: 500, message: "the file on the page" },
    );
    const row = await page.locator("tbody tr").first().textContent();
    expect(row).toContain("/data/in/report-2026-11-23.csv");
    expect(row).toContain("unmatched");
    await shot("files");
  });

  it("enforces the Content-Security-Policy: nothing the pages did was refused, an injected script is", async () => {
    await page.goto(`${base}/login`);
    await page.goto(`${base}/web/about`);
    expect(refused).toEqual([]);
    // A script slipped into the page (as a stored XSS would) does not run, and the browser says why.
    await page.evaluate(`{
      const script = document.createElement("script");
      script.textContent = "document.title = 'injected'";
      document.body.append(script);
    }`);
    await waitFor(() => refused.length > 0, { message: "the browser's report of the refused script" });
    expect(await page.title()).toBe("About · taskmaster");
    expect(refused.join("\n")).toMatch(/script-src-elem refused inline/);
  });
});
