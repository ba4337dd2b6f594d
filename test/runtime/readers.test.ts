// Readers cannot stall a running taskmaster: big backload previews and a meta-file glob over a big tree leave
// /healthz answering at once, a backload answers with its count and a page of its tasks, a backload the planner
// refuses is the caller's 400, and a burst of tasks goes through with 200 clients following the live events.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import { watchLoop } from "../helpers/loop.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { startHistory } from "./both.ts";
import { testConfig, workflowDir } from "./harness.ts";
import { historyAnswers, startTaskmaster, type TaskmasterProcess } from "./process.ts";

let server: NatsServer;
let nc: NatsConnection;
beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "readers-test" });
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const workflow = `[[phase]]
task = "root"
rule = "cron=@yearly"

[[phase]]
task = "hourly"
rule = "cron=@yearly"
template = "?h={yyyy}-{mm}-{dd}T{hh}"

[[phase]]
task = "bymeta"
rule = "cron=@yearly"
template = "?id={meta:id}&day={yyyy}-{mm}-{dd}"
`;

const adminToken = "readers-admin-token-0123";
const admin = { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" };
const tenYearsHourly = { Task: "hourly", From: "2014-01-01T00", To: "2023-12-31T23", By: "hour" };

async function start(files: Record<string, string> = {}): Promise<{ p: TaskmasterProcess; url: string }> {
  const dir = workflowDir({ "w.toml": workflow, ...files });
  const p = await startTaskmaster(server.url, dir, ["--http.admin_token", adminToken]);
  const url = String(p.lines.find((l) => l.msg === "taskmaster running")?.http);
  await historyAnswers(url, adminToken);
  return { p, url };
}

function backload(url: string, body: object, query = "") {
  return fetch(`${url}/api/v1/backload${query}`, {
    method: "POST",
    headers: admin,
    body: JSON.stringify(body),
  });
}

type Answer = { Status: string; Count: number; Tasks: { info: string }[]; Page: number; Pages: number };

describe("readers of a running taskmaster", () => {
  it("leave /healthz answering in under 100 ms while six ten-year hourly previews and a big meta-file glob run", async () => {
    const dir = workflowDir({ "w.toml": workflow });
    // 6 000 rows in 300 folders, and as many files the glob walks past.
    for (let d = 0; d < 300; d++) {
      mkdirSync(join(dir, "meta", `d${d}`), { recursive: true });
      for (let f = 0; f < 20; f++) {
        writeFileSync(join(dir, "meta", `d${d}`, `${f}.json`), `{"id":"${d}-${f}"}\n`);
        writeFileSync(join(dir, "meta", `d${d}`, `${f}.txt`), "not a meta-file\n");
      }
    }
    // The history (which serves the API and plans backloads) runs in this process, so that its event loop can be
    // watched where it runs: an answer to /healthz waits for nothing but a turn of the loop, so the longest the loop
    // is held is the longest /healthz can wait.
    const config = testConfig(server.url, dir, ["--http.admin_token", adminToken]);
    const http = await startHistory(config, dir);
    try {
      // Code compiled on first use is not what is measured: one small preview of each kind first.
      await backload(http.url, { Task: "hourly", At: "2024-01-01" });
      await backload(http.url, {
        Task: "bymeta",
        At: "2024-01-01",
        "meta-file": join(dir, "meta/d0/*.json"),
      });
      const watch = watchLoop();
      const glob = { Task: "bymeta", At: "2024-01-01", "meta-file": join(dir, "meta/**/*.json") };
      const readers = Promise.all([
        ...Array.from({ length: 6 }, () => backload(http.url, tenYearsHourly)),
        backload(http.url, glob),
      ]);
      let running = true;
      const answers = readers.then(async (rs) => {
        running = false;
        return (await Promise.all(rs.map((r) => r.json()))) as Answer[];
      });
      const probes: number[] = [];
      while (running) {
        probes.push((await fetch(`${http.url}/healthz`)).status);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const held = watch.stop();
      expect(held).toBeLessThan(100);
      expect(probes.length).toBeGreaterThan(0);
      expect(probes.every((status) => status === 200)).toBe(true);
      expect((await answers).map((a) => [a.Count, a.Tasks.length])).toEqual([
        ...Array.from({ length: 6 }, () => [87_648, 100]),
        [6000, 100],
      ]);
    } finally {
      await http.stop();
      rmSync(join(dir, "meta"), { recursive: true, force: true });
    }
  }, 60_000);

  it("get a backload's count and first page, the next pages on request, and an execution sends every task", async () => {
    const { p, url } = await start();
    try {
      const first = (await (await backload(url, tenYearsHourly)).json()) as Answer;
      expect(first).toMatchObject({ Count: 87_648, Page: 1, Pages: 877 });
      expect(first.Status).toMatch(/^DRY RUN ONLY: phase found in w\.toml/);
      expect(first.Tasks.map((t) => t.info).slice(0, 2)).toEqual(["?h=2014-01-01T00", "?h=2014-01-01T01"]);
      const next = (await (await backload(url, tenYearsHourly, "?page=2&size=24")).json()) as Answer;
      expect(next).toMatchObject({ Count: 87_648, Page: 2, Pages: 3652 });
      expect(next.Tasks.map((t) => t.info)).toEqual(
        Array.from({ length: 24 }, (_, h) => `?h=2014-01-02T${String(h).padStart(2, "0")}`),
      );
      const past = (await (await backload(url, tenYearsHourly, "?page=878")).json()) as Answer;
      expect(past.Tasks).toEqual([]);

      const jsm = await jetstreamManager(nc);
      const before = (await jsm.streams.info("TASKMASTER_TASKS")).state.messages;
      const body = { Task: "hourly", From: "2024-01-01T00", To: "2024-04-14T03", By: "hour", Execute: true };
      const sent = (await (await backload(url, body)).json()) as Answer;
      expect(sent).toMatchObject({ Count: 2500, Page: 1, Pages: 25 });
      expect(sent.Status).toMatch(/^Executed: /);
      expect(sent.Tasks).toHaveLength(100);
      expect((await jsm.streams.info("TASKMASTER_TASKS")).state.messages).toBe(before + 2500);
    } finally {
      await p.kill("SIGTERM");
    }
  });

  it("are told what is wrong with a 400 when the planner refuses their backload", async () => {
    const { p, url } = await start();
    try {
      const refused = async (body: object) => {
        const r = await backload(url, body);
        return [r.status, ((await r.json()) as { error: string }).error];
      };
      const twelveYears = { Task: "hourly", From: "2012-01-01T00", To: "2023-12-31T23", By: "hour" };
      expect(await refused(twelveYears)).toEqual([
        400,
        "the backload would create 105192 tasks (105192 hours), more than the limit of 100000: split the range",
      ]);
      expect(
        await refused({ Task: "bymeta", At: "2024-01-01", meta: { id: ["1", "2"], day: ["x"] } }),
      ).toEqual([400, "inconsistent lengths in meta: id has 2 values, day has 1"]);
      expect(await refused({ Task: "bymeta", At: "2024-01-01", "meta-file": "/nowhere/*.json" })).toEqual([
        400,
        "meta-file: no files found for /nowhere/*.json",
      ]);
      // Years below 100 stay there.
      const early = await backload(url, {
        Task: "hourly",
        From: "0001-01-31",
        To: "0001-03-31",
        By: "month",
      });
      expect(((await early.json()) as Answer).Tasks.map((t) => t.info)).toEqual([
        "?h=0001-01-31T00",
        "?h=0001-02-28T00",
        "?h=0001-03-31T00",
      ]);
    } finally {
      await p.kill("SIGTERM");
    }
  });

  it("following the live events, 200 of them, do not hold up a burst of 20 000 tasks", async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => i).join(",");
    const { p, url } = await start({
      "burst.toml": `[[phase]]\ntask = "burst-root"\nrule = "cron=@yearly"\n\n[[phase]]\ntask = "burst-child"\ndependsOn = "burst-root"\nrule = "meta=i:${rows}"\ntemplate = "?i={meta:i}"\n`,
    });
    const clients = await Promise.all(Array.from({ length: 200 }, () => fetch(`${url}/api/v1/events`)));
    try {
      expect(clients.every((c) => c.status === 200)).toBe(true);
      // Each client reads what comes, as a page does, and counts its messages.
      const received = clients.map(() => 0);
      clients.forEach(async (c, i) => {
        const reader = (c.body as ReadableStream<Uint8Array>).getReader();
        for (;;) {
          const { done } = await reader.read().catch(() => ({ done: true }));
          if (done) return;
          received[i] = (received[i] ?? 0) + 1;
        }
      });
      const jsm = await jetstreamManager(nc);
      const before = (await jsm.streams.info("TASKMASTER_TASKS")).state.messages;
      const js = jetstream(nc);
      for (let r = 0; r < 20; r++) {
        const done = {
          type: "burst-root",
          info: "",
          id: `burst-${r}`,
          result: "complete",
          meta: "workflow=burst.toml",
        };
        await js.publish("done", JSON.stringify(done));
      }
      await waitFor(
        async () => (await jsm.streams.info("TASKMASTER_TASKS")).state.messages >= before + 20_000,
        {
          timeoutMs: 30_000,
          message: "20 000 tasks stored",
        },
      );
      await waitFor(() => received.every((n) => n > 0), { message: "every client had a message" });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await p.kill("SIGTERM");
    }
  }, 60_000);
});
