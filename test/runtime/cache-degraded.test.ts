// The cache never in the way: with its file on a full disk (a small tmpfs) or a read-only mount, taskmaster (a real
// process, in a mount namespace of its own) reports the cache degraded and goes on scheduling: every task is stored.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { workflowDir } from "./harness.ts";
import { startTaskmaster, type TaskmasterProcess } from "./process.ts";

let server: NatsServer;
let nc: NatsConnection;
const running: TaskmasterProcess[] = [];

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "cache-degraded-test" });
});

afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) await p.kill("SIGKILL");
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const workflow =
  '[[phase]]\ntask = "root"\nrule = "cron=@yearly"\n\n[[phase]]\ntask = "child"\ndependsOn = "root"\n';
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
/** Runs taskmaster in its own mount namespace after `setup` (shell) has mounted what the test needs. */
const inNamespace = (setup: string) => (argv: readonly string[]) => [
  "unshare",
  "-rm",
  "sh",
  "-c",
  `${setup} && exec ${argv.map(quote).join(" ")}`,
];

/** Publishes `n` root done messages with a long info (so the cache fills fast); resolves when all are stored. */
async function rootsDone(n: number, prefix: string): Promise<void> {
  const js = jetstream(nc);
  const info = `?padding=${"x".repeat(2000)}`;
  for (let i = 0; i < n; i++) {
    const created = `${new Date().toISOString().slice(0, 19)}Z`;
    const task = {
      type: "root",
      info,
      id: `${prefix}${i}`,
      result: "complete",
      created,
      meta: "workflow=w.toml",
    };
    await js.publish("done", taskJson(task as never));
  }
}

async function storedTasks(): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info("TASKMASTER_TASKS")).state.messages;
}

describe("a cache that cannot be written", () => {
  it("goes degraded on a full disk and taskmaster keeps scheduling", async () => {
    const dir = workflowDir({ "w.toml": workflow });
    const mnt = mkdtempSync(join(tmpdir(), "taskmaster-full-"));
    const p = await startTaskmaster(server.url, dir, [], {
      cachePath: join(mnt, "taskmaster.db"),
      wrap: inNamespace(`mount -t tmpfs -o size=400k tmpfs ${quote(mnt)}`),
    });
    running.push(p);
    await rootsDone(400, "full");
    await waitFor(async () => (await storedTasks()) === 400, {
      timeoutMs: 20_000,
      message: "400 children stored",
    });
    const degraded = await p.waitForLine((l) => String(l.msg).startsWith("cache degraded"));
    expect(degraded.msg).toMatch(/disk full writing .*taskmaster\.db \(SQLITE_FULL\)/);
    expect(await p.kill("SIGTERM")).toBe(0);
  }, 40_000);

  it("goes degraded on a read-only mount and taskmaster keeps scheduling", async () => {
    const dir = workflowDir({ "w.toml": workflow });
    const ro = mkdtempSync(join(tmpdir(), "taskmaster-ro-"));
    writeFileSync(join(ro, "README"), "a read-only mount for the cache\n");
    const p = await startTaskmaster(server.url, dir, [], {
      cachePath: join(ro, "taskmaster.db"),
      wrap: inNamespace(`mount --bind ${quote(ro)} ${quote(ro)} && mount -o remount,ro,bind ${quote(ro)}`),
    });
    running.push(p);
    const degraded = await p.waitForLine((l) => String(l.msg).startsWith("cache degraded"));
    expect(degraded.msg).toContain(join(ro, "taskmaster.db"));
    await rootsDone(50, "ro");
    await waitFor(async () => (await storedTasks()) === 50, {
      timeoutMs: 20_000,
      message: "50 children stored",
    });
    expect(await p.kill("SIGTERM")).toBe(0);
  }, 40_000);
});
