// `taskmaster run` started without a NATS it can use: it keeps trying (a log line per attempt with the reason and the
// next try), is alive but not ready meanwhile, says so when the password is wrong, and logs in with credentials
// written in the URL without ever printing them.
import { afterEach, describe, expect, it } from "vitest";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { workflowDir } from "./harness.ts";
import { type LogLine, startTaskmaster, type TaskmasterProcess } from "./process.ts";

const workflows = { "w.toml": '[[phase]]\ntask = "root"\nrule = "cron=@yearly"\n' };
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean().catch(() => undefined);
});

function track(p: TaskmasterProcess): TaskmasterProcess {
  cleanups.push(() => (p.child.exitCode === null ? p.kill("SIGKILL") : Promise.resolve()));
  return p;
}

/** The engine's (the history process beside it, with a pid of its own, tries on its own schedule). */
const failedAttempts = (p: TaskmasterProcess): LogLine[] =>
  p.lines.filter((l) => l.msg.startsWith("cannot connect to NATS") && l.pid === p.pid);

/** Waits for `count` failed attempts and returns them. */
async function attempts(p: TaskmasterProcess, count: number): Promise<LogLine[]> {
  await p.waitForLine(() => failedAttempts(p).length >= count, 20_000);
  return failedAttempts(p);
}

async function probe(base: string, path: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${base}${path}`);
  return { status: r.status, body: await r.json() };
}

describe("taskmaster run without a NATS to use", () => {
  it("keeps trying, alive but not ready, and runs once NATS answers", async () => {
    let server: NatsServer = await startNats();
    cleanups.push(() => server.stop());
    await server.kill();
    const dir = workflowDir(workflows);
    const p = track(await startTaskmaster(server.url, dir, [], { until: "API listening" }));
    const api = String((await p.waitForLine((l) => l.msg === "API listening")).http);

    const [first, second] = await attempts(p, 2);
    expect(first).toMatchObject({
      attempt: 1,
      problem: "unreachable",
      servers: [server.url],
      retry_in_ms: 1000,
      msg: expect.stringMatching(/^cannot connect to NATS: no server answers: .+; trying again in 1s$/),
    });
    // The next try is named as a time: the time of the line plus the wait.
    expect(Math.abs(Date.parse(String(first?.next_try)) - Number(first?.time) - 1000)).toBeLessThan(50);
    expect(second).toMatchObject({ attempt: 2, retry_in_ms: 2000 });
    expect(await probe(api, "/healthz")).toEqual({ status: 200, body: { status: "ok" } });
    const waiting = await probe(api, "/readyz");
    expect(waiting.status).toBe(503);
    expect(waiting.body).toMatchObject({ ready: false, nats: "connecting" });
    expect((waiting.body as { waiting: string }).waiting).toMatch(/^waiting for NATS: no server answers/);

    server = await server.restart();
    await p.waitForLine((l) => l.msg === "taskmaster running", 40_000);
    expect(await probe(api, "/readyz")).toEqual({
      status: 200,
      body: { ready: true, nats: "connected", workflows: 1, stuck: false, oldestInFlightSeconds: 0 },
    });
    expect(await p.kill("SIGTERM")).toBe(0);
  }, 90_000);

  it("reports a wrong password as failed authorization, retries, and stops at once on SIGTERM meanwhile", async () => {
    const server = await startNats({ auth: { user: "svc", pass: "right-pass" } });
    cleanups.push(() => server.stop());
    const dir = workflowDir(workflows);
    const flags = ["--nats.user", "svc", "--nats.pass", "wrong-pass"];
    const p = track(await startTaskmaster(server.url, dir, flags, { until: "API listening" }));
    const lines = await attempts(p, 2);
    for (const line of lines.slice(0, 2)) {
      expect(line).toMatchObject({ problem: "authorization" });
      expect(line.msg).toMatch(
        /^cannot connect to NATS: authorization failed: Authorization Violation; trying again/,
      );
    }
    const signalled = Date.now();
    expect(await p.kill("SIGTERM")).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(p.lines.map((l) => l.msg)).toContain("stopped while waiting for NATS");
    expect(JSON.stringify(p.lines)).not.toContain("wrong-pass");
  }, 60_000);

  it("logs in with the user and password written in nats.url, and never prints the password", async () => {
    const server = await startNats({ auth: { user: "svc", pass: "url-s3cret" } });
    cleanups.push(() => server.stop());
    const dir = workflowDir(workflows);
    const url = `nats://127.0.0.1:1,${server.url.replace("nats://", "nats://svc:url-s3cret@")}`;
    const p = track(await startTaskmaster(url, dir));
    expect(await p.kill("SIGTERM")).toBe(0);
    const output = JSON.stringify(p.lines);
    expect(output).toContain("nats://svc:***@127.0.0.1");
    expect(output).not.toContain("url-s3cret");
  }, 60_000);
});
