// Hostile pages in a real browser (Debian's Chromium, driven by playwright-core) against a taskmaster with open reads
// (no tokens, on loopback, as `make run` has it): a page whose own name points at 127.0.0.1 (DNS rebinding) cannot
// read the API, and a page on another site cannot make the browser reload the workflows through flowlord's
// GET /refresh. Chromium resolves the pages' names to 127.0.0.1 by its --host-resolver-rules.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { workflowDir } from "../runtime/harness.ts";
import { startTaskmaster, type TaskmasterProcess } from "../runtime/process.ts";

let server: NatsServer;
let nc: NatsConnection;
let taskmaster: TaskmasterProcess;
let attacker: Server;
let browser: Browser;
let page: Page;
let base = "";
let port = 0;
let evilPort = 0;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "hostile-test" });
  const dir = workflowDir({ "w.toml": '[[phase]]\ntask = "root"\nrule = "cron=@yearly"\n' });
  taskmaster = await startTaskmaster(server.url, dir);
  base = String(taskmaster.lines.find((l) => l.msg === "taskmaster running")?.http);
  port = Number(new URL(base).port);
  // Another site's page that asks the browser for taskmaster's /refresh, as an <img> would.
  attacker = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(`<!doctype html><title>cats</title><img src="http://127.0.0.1:${port}/refresh">`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  evilPort = (attacker.address() as AddressInfo).port;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--host-resolver-rules=MAP rebind.test 127.0.0.1, MAP evil.test 127.0.0.1"],
  });
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await taskmaster?.kill("SIGTERM");
  await nc?.close();
  await server?.stop();
});

describe("hostile pages in Chromium", () => {
  it("a page on a name rebound to 127.0.0.1 reads nothing: 421, naming http.allowed_hosts", async () => {
    const landed = await page.goto(`http://rebind.test:${port}/api/v1/status`);
    expect(landed?.status()).toBe(421);
    expect(await page.textContent("body")).toContain("add rebind.test to http.allowed_hosts");
    // The page's own script, whose origin is rebind.test, asks the API: the browser lets it read, the server refuses.
    const read = await page.evaluate(async () => {
      const r = await fetch("/api/v1/tasks");
      return { status: r.status, text: await r.text() };
    });
    expect(read.status).toBe(421);
    expect(read.text).not.toContain("rows");
    // Under its own address the same server answers.
    expect((await page.goto(`${base}/api/v1/status`))?.status()).toBe(200);
  });

  it("a page on another site cannot reload the workflows through GET /refresh; typing the address still can", async () => {
    // Every reload is on the audit stream before its answer goes out: the count says whether one happened.
    const jsm = await jetstreamManager(nc);
    const reloads = async () => (await jsm.streams.info("TASKMASTER_AUDIT")).state.messages;
    expect(await reloads()).toBe(0);
    const asked = page.waitForRequest(`${base}/refresh`);
    await page.goto(`http://evil.test:${evilPort}/`);
    // The browser does not show an <img> a JSON answer (whatever its status): that the request ended is enough.
    await (await asked).response();
    expect(await reloads()).toBe(0);
    const typed = await page.goto(`${base}/refresh`);
    expect(typed?.status()).toBe(200);
    // The history asks every engine to reload and tells what each answered.
    expect(await typed?.json()).toMatchObject({
      changed: [],
      problems: [],
      engines: [{ changed: [], problems: [], error: "" }],
    });
    expect(await reloads()).toBe(1);
  });
});
