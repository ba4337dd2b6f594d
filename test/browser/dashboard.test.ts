// The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against a running taskmaster with a
// real nats-server and workers: sign in, see the tasks a run produced, filter them, open a run, visit every page.
// Screenshots are saved to test/artifacts/ for people to look at.
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
  taskmaster = await startTaskmaster(server.url, dir, ["--http.read_token_file", join(dir, "read.token")]);
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
  const created = new Date().toISOString().slice(0, 19) + "Z";
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
    await page.fill("input[name=token]", "browser-read-token");
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
});
