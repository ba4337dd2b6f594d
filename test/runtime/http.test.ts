// The API as a running taskmaster serves it: probes, a token from a file, a foreign Host refused, and the refusal to
// start on a public address without tokens or with tokens too weak to be ones.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { version } from "../../cmd/taskmaster/version.ts";
import { connectNats } from "../../internal/bus/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { workflowDir } from "./harness.ts";
import { historyAnswers, startTaskmaster, taskmasterCommand } from "./process.ts";

let server: NatsServer;
let nc: NatsConnection;
const repo = fileURLToPath(new URL("../..", import.meta.url));

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "http-test" });
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const workflow = '[[phase]]\ntask = "root"\nrule = "cron=@yearly"\n';
const admin = "adm-0123456789abcdef";

/** A GET with the Host header given (fetch will not send one of its own choosing). */
function getWithHost(url: string, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers: { Host: host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** `taskmaster run` with these flags, to its exit. */
function runToExit(dir: string, flags: readonly string[]) {
  const args = [taskmasterCommand, "run", "--nats.url", server.url, "--workflow", dir];
  const common = ["--cache.path", join(dir, "t.db"), "--log.format", "json"];
  return spawnSync(process.execPath, [...args, ...common, ...flags], {
    cwd: repo,
    encoding: "utf8",
    timeout: 20_000,
  });
}

describe("the API of a running taskmaster", () => {
  it("answers the probes and, with the read token from a file, its status", async () => {
    const dir = workflowDir({ "w.toml": workflow });
    writeFileSync(join(dir, "read.token"), "s3cret-read-0123456789\n");
    const p = await startTaskmaster(server.url, dir, ["--http.read_token_file", join(dir, "read.token")]);
    try {
      const running = p.lines.find((l) => l.msg === "taskmaster running");
      const url = String(running?.http);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await historyAnswers(url, "s3cret-read-0123456789");
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({
        ready: true,
        nats: "connected",
        workflows: 1,
        stuck: false,
        oldestInFlightSeconds: 0,
      });
      expect((await fetch(`${url}/api/v1/status`)).status).toBe(401);
      const status = await fetch(`${url}/api/v1/status`, {
        headers: { Authorization: "Bearer s3cret-read-0123456789" },
      });
      expect(await status.json()).toMatchObject({ version, workflows: 1, phases: 1, cache: { mode: "ok" } });
      const metrics = await fetch(`${url}/metrics`, {
        headers: { Authorization: "Bearer s3cret-read-0123456789" },
      });
      expect(metrics.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await metrics.text()).toContain("taskmaster_nats_connected 1\n");
      // A page of another name pointed at 127.0.0.1 (DNS rebinding) is refused; the probes answer any Host.
      const rebound = await getWithHost(url, "/api/v1/status", "rebind.attacker.example");
      expect(rebound.status).toBe(421);
      expect(rebound.body).toContain("add rebind.attacker.example to http.allowed_hosts");
      expect((await getWithHost(url, "/healthz", "10.244.0.7:8080")).status).toBe(200);
      expect((await getWithHost(url, "/api/v1/status", "localhost")).status).toBe(401);
      // The consumers' lag comes from a poll of NATS made at start and every 15 s.
      await waitFor(async () => {
        const text = await (
          await fetch(`${url}/metrics`, { headers: { Authorization: "Bearer s3cret-read-0123456789" } })
        ).text();
        return text.includes(
          'taskmaster_consumer_pending_messages{stream="TASKMASTER_DONE",consumer="taskmaster-done"} 0',
        );
      });
    } finally {
      await p.kill("SIGTERM");
    }
  });

  it("previews a backload with the planner, then executes it through the runtime's publish path", async () => {
    const dir = workflowDir({
      "w.toml": `${workflow}\n[[phase]]\ntask = "load"\ndependsOn = "root"\ntemplate = "?day={yyyy}-{mm}-{dd}"\n`,
    });
    const p = await startTaskmaster(server.url, dir, ["--http.admin_token", admin]);
    try {
      const url = String(p.lines.find((l) => l.msg === "taskmaster running")?.http);
      await historyAnswers(url, admin);
      const send = (execute: boolean) =>
        fetch(`${url}/backload`, {
          method: "POST",
          headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" },
          body: JSON.stringify({ Task: "load", From: "2024-01-01", To: "2024-01-03", Execute: execute }),
        }).then((r) => r.json() as Promise<{ Status: string; Count: number; Tasks: { info: string }[] }>);
      const dry = await send(false);
      expect(dry.Status).toMatch(/^DRY RUN ONLY: phase found in w\.toml/);
      expect(dry.Tasks.map((t) => t.info)).toEqual(["?day=2024-01-01", "?day=2024-01-02", "?day=2024-01-03"]);
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info("TASKMASTER_TASKS")).state.messages).toBe(0);
      const done = await send(true);
      expect(done.Status).toMatch(/^Executed: /);
      expect((await jsm.streams.info("TASKMASTER_TASKS")).state.messages).toBe(3);
    } finally {
      await p.kill("SIGTERM");
    }
  });

  it("streams changes to live pages, and still stops at once on SIGTERM with a stream open", async () => {
    const dir = workflowDir({ "w.toml": workflow });
    const p = await startTaskmaster(server.url, dir);
    const url = String(p.lines.find((l) => l.msg === "taskmaster running")?.http);
    await historyAnswers(url);
    const events = await fetch(`${url}/api/v1/events`);
    expect(events.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = events.body?.getReader();
    await jetstream(nc).publish(
      "done",
      JSON.stringify({ type: "root", info: "", id: "live-1", result: "complete", meta: "workflow=w.toml" }),
    );
    const { value } = (await reader?.read()) ?? {};
    // The history says which kind of rows changed; a live page reloads those.
    expect(new TextDecoder().decode(value)).toContain('event: change\ndata: {"changes":[{"kind":"task"');
    const started = Date.now();
    expect(await p.kill("SIGTERM")).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000); // not held until the drain limit by the open stream
  });

  it("retries a failed task on request (admin), through the runtime's publish path", async () => {
    const dir = workflowDir({
      "w.toml": `${workflow}\n[[phase]]\ntask = "load"\ndependsOn = "root"\n`,
    });
    const p = await startTaskmaster(server.url, dir, ["--http.admin_token", admin]);
    try {
      const url = String(p.lines.find((l) => l.msg === "taskmaster running")?.http);
      await historyAnswers(url, admin);
      const auth = { Authorization: `Bearer ${admin}` };
      await jetstream(nc).publish(
        "done",
        JSON.stringify({ type: "root", info: "", id: "r9", result: "complete", meta: "workflow=w.toml" }),
      );
      type Rows = { rows: { key: string; type: string; id: string }[] };
      let load: { key: string } | undefined;
      await waitFor(async () => {
        const page = (await (
          await fetch(`${url}/api/v1/tasks?type=load&id=r9`, { headers: auth })
        ).json()) as Rows;
        load = page.rows[0];
        return load !== undefined;
      });
      const jsm = await jetstreamManager(nc);
      const before = (await jsm.streams.info("TASKMASTER_TASKS")).state.messages;
      const r = await fetch(`${url}/api/v1/tasks/${load?.key}/retry`, { method: "POST", headers: auth });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { sent: { type: string; id: string } }).sent).toMatchObject({
        type: "load",
        id: "r9",
      });
      expect((await jsm.streams.info("TASKMASTER_TASKS")).state.messages).toBe(before + 1);
      const missing = await fetch(`${url}/api/v1/tasks/nope/retry`, { method: "POST", headers: auth });
      expect(missing.status).toBe(404);

      // Launch the root phase now, with a given info.
      const launched = await fetch(`${url}/api/v1/phases/launch`, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify({ workflow: "w.toml", phase: "root", info: "?by=hand" }),
      });
      const launch = (await launched.json()) as {
        count: number;
        tasks: { type: string; info: string; id: string }[];
      };
      expect(launch).toMatchObject({ count: 1, tasks: [{ type: "root", info: "?by=hand" }] });

      // Re-run that root alone: the task goes out with downstream=skip, and nothing is listed to follow it; re-run
      // with what follows, `load` is listed.
      let rootKey = "";
      await waitFor(async () => {
        const rows = (await (
          await fetch(`${url}/api/v1/tasks?type=root&id=${launch.tasks[0]?.id}`, { headers: auth })
        ).json()) as Rows;
        rootKey = rows.rows[0]?.key ?? "";
        return rootKey !== "";
      });
      const alone = await fetch(`${url}/api/v1/tasks/${encodeURIComponent(rootKey)}/rerun`, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json", "X-Taskmaster-Actor": "http-test" },
        body: JSON.stringify({ downstream: false }),
      });
      const aloneBody = (await alone.json()) as { sent: { meta: string }; downstream: string[] };
      expect(aloneBody.sent.meta).toContain("downstream=skip");
      expect(aloneBody.downstream).toEqual([]);
      const follows = (await (
        await fetch(`${url}/api/v1/tasks/${encodeURIComponent(rootKey)}/rerun`, {
          method: "POST",
          headers: auth,
        })
      ).json()) as { downstream: string[] };
      expect(follows.downstream).toEqual(["load"]);

      // Every action is in the audit trail, newest first, and on the audit stream.
      await waitFor(
        async () => {
          const trail = (await (await fetch(`${url}/api/v1/actions`, { headers: auth })).json()) as {
            actions: { action: string }[];
          };
          // (A fresh cache is rebuilt from the streams, so the earlier test's backload may come after these.)
          return (
            trail.actions
              .slice(0, 4)
              .map((a) => a.action)
              .join(",") === "rerun,rerun,launch,retry"
          );
        },
        { timeoutMs: 15_000 },
      );
      // The stream is shared with this file's other tests (the backload before): this test's four are the last.
      const audit = await jsm.streams.info("TASKMASTER_AUDIT");
      const last = audit.state.last_seq;
      const mine = await Promise.all(
        [3, 2, 1, 0].map(async (back) =>
          (await jsm.streams.getMessage("TASKMASTER_AUDIT", { seq: last - back }))?.json(),
        ),
      );
      expect(mine.map((m) => (m as { action: string }).action)).toEqual([
        "retry",
        "launch",
        "rerun",
        "rerun",
      ]);
      const stored = await jsm.streams.getMessage("TASKMASTER_AUDIT", { seq: last - 1 });
      expect(stored?.json()).toMatchObject({ action: "rerun", outcome: "ok" });
      expect(JSON.stringify(stored?.json())).toContain("(http-test)");
      // The about page shows the streams with their consumers, and the trail.
      const about = await (await fetch(`${url}/web/about`, { headers: auth })).text();
      expect(about).toMatch(/TASKMASTER_AUDIT<\/td><td[^>]*>taskmaster\.audit/);
      expect(about).toContain("taskmaster-done: 0, 0, 0");
      expect(about).toMatch(/<td>launch<\/td><td>admin token [0-9a-f]{8} from /);
    } finally {
      await p.kill("SIGTERM");
    }
  });

  it("refuses to start on a public address without tokens, and says what to set", () => {
    const dir = workflowDir({ "w.toml": workflow });
    const r = runToExit(dir, ["--http.listen", "0.0.0.0:0"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "http.listen is 0.0.0.0:0, not a loopback address: set http.read_token and http.admin_token",
    );
  });

  it("refuses to start with a short or blank token, naming the key", () => {
    const dir = workflowDir({ "w.toml": workflow });
    const short = runToExit(dir, ["--http.listen", "127.0.0.1:0", "--http.admin_token", "Zq7"]);
    expect(short.status).toBe(1);
    expect(short.stdout).toContain(
      "http.admin_token: the token is 3 characters long; use at least 16 (openssl rand -base64 24 makes one)",
    );
    writeFileSync(join(dir, "read.token"), "   \n");
    const blank = runToExit(dir, [
      "--http.listen",
      "0.0.0.0:0",
      "--http.read_token_file",
      join(dir, "read.token"),
      "--http.admin_token",
      admin,
    ]);
    expect(blank.status).toBe(1);
    expect(blank.stdout).toContain(`http.read_token_file (${join(dir, "read.token")}): the token is blank`);
  });

  it("has the version package.json has", () => {
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string };
    expect(version).toBe(pkg.version);
  });
});
