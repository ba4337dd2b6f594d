// The history of both roles running, against a real nats-server, real SQLite files and s3rver: every kind of record
// the engine publishes lands in the history's file (read here read-only, as another process would); the history
// backs up and restores (local and S3) when the file is deleted or corrupt; a lost file with no backup is rebuilt
// from the streams.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Database } from "better-sqlite3";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import {
  alertsOn,
  counts,
  filesOn,
  phases,
  recentActions,
  rejectedOn,
  tasksOn,
} from "../../internal/cache/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import type { Worker } from "../../internal/worker/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { type FakeS3, startFakeS3 } from "../helpers/s3.ts";
import { waitFor } from "../helpers/wait.ts";
import { type BothRoles, historyHolds, startBoth } from "./both.ts";
import { type EventLog, fakeWorkers, published, testConfig, workflowDir } from "./harness.ts";

let server: NatsServer;
let nc: NatsConnection;
let s3: FakeS3;
let service: BothRoles | undefined;
let workers: Worker[] = [];
const cleanups: (() => void)[] = [];
const s3Dir = mkdtempSync(join(tmpdir(), "taskmaster-s3rver-"));

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "cache-test" });
  s3 = await startFakeS3(s3Dir, "backups");
});

afterEach(async () => {
  for (const clean of cleanups.splice(0)) clean();
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  await service?.stop();
  service = undefined;
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await s3?.stop();
  rmSync(s3Dir, { recursive: true, force: true });
});

const chain = `
[[phase]]
task = "root"
rule = "cron=0 0 0 1 1 *"

[[phase]]
task = "child"
dependsOn = "root"
rule = "meta=part:a,b"
template = "?part={meta:part}"

[[phase]]
task = "flaky"
dependsOn = "root"
retry = 1
rule = "retry_delay=100ms"

[[phase]]
task = "load"
rule = "files=gs://in/*.csv"
`;

const today = () => new Date().toISOString().slice(0, 10);

const admin = "adm-0123456789abcdef";

async function start(dir: string, flags: string[] = []) {
  service = await startBoth(testConfig(server.url, dir, ["--http.admin_token", admin, ...flags]), dir);
  return { log: service.log, svc: service, history: service.history };
}

/** Reads the history's file as another process would: read-only, beside the history writing it. */
function read<T>(dir: string, query: (db: Database) => T): T {
  const db = new BetterSqlite3(join(dir, "taskmaster.db"), { readonly: true, fileMustExist: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

const taskCount = (dir: string) => read(dir, (db) => counts(db).tasks);

async function api<T>(url: string, path: string, init: RequestInit = {}): Promise<T> {
  const r = await fetch(`${url}${path}`, { ...init, headers: { Authorization: `Bearer ${admin}` } });
  expect(r.status).toBe(200);
  return (await r.json()) as T;
}

/** Until the history in `dir` holds every message the streams hold now. */
const caughtUp = (dir: string) => historyHolds(nc, testConfig(server.url, dir), dir);

const rootDone = (id: string) =>
  jetstream(nc).publish(
    "done",
    taskJson({
      type: "root",
      info: "",
      id,
      result: "complete",
      // Recent: an older one would be removed by retention when the restored cache opens.
      created: `${new Date().toISOString().slice(0, 19)}Z`,
      meta: "workflow=chain.toml",
    }),
  );

/** Runs the chain once: two children that share the root's id, a task that fails twice (an alert), a file. */
async function runChain(log: EventLog) {
  workers = fakeWorkers(nc, ["child", "flaky"], (t) =>
    t.type === "flaky" ? { result: "error", msg: "disk on fire" } : { result: "complete" },
  );
  await rootDone("r1");
  await jetstream(nc).publish("files", JSON.stringify({ path: "gs://in/x.csv", size: 3 }));
  await jetstream(nc).publish("done", "{broken");
  await log.until("taskFailed", () => true, 15_000);
  await waitFor(() => log.of("taskDone").filter((e) => e.task.type === "child").length === 2, {
    message: `two children done (${JSON.stringify(log.events.map((e) => e.type))})`,
  });
  await waitFor(() => log.of("fileArrived").length === 1 && log.of("messageRejected").length === 1);
}

describe("the history of both roles", () => {
  it("records every task from emission to done, files, alerts, rejected messages and the phases", async () => {
    const dir = workflowDir({ "chain.toml": chain });
    const { log, history } = await start(dir);
    await runChain(log);
    await caughtUp(dir);
    const db = new BetterSqlite3(join(dir, "taskmaster.db"), { readonly: true });
    cleanups.push(() => db.close());
    const { rows } = tasksOn(db, today(), {});
    // Both children of r1 (same id and type, different info), the flaky task and its retry.
    const children = rows.filter((r) => r.type === "child");
    expect(children.map((r) => [r.id, r.info, r.result, r.kind]).sort()).toEqual([
      ["r1", "?part=a", "complete", "child"],
      ["r1", "?part=b", "complete", "child"],
    ]);
    expect(children.every((r) => r.queueMs !== null && r.runMs !== null)).toBe(true);
    const flaky = rows.filter((r) => r.type === "flaky").map((r) => [r.kind, r.result]);
    // The copy sent to the failed topic (TASKMASTER_FAILED) is a row of its own, beside the alert below.
    expect(flaky.sort()).toEqual([
      ["child", "error"],
      ["failed", ""],
      ["retry", "error"],
    ]);
    expect(filesOn(db, today()).map((f) => [f.path, f.status, f.taskNames])).toEqual([
      ["gs://in/x.csv", "triggered", ["load"]],
    ]);
    expect(
      alertsOn(db, today())
        .map((a) => [a.kind, a.taskType, a.msg.split(":")[0]])
        .sort(),
    ).toEqual([
      ["rejected-message", "done", "message rejected on done"],
      ["retries-exhausted", "flaky", "flaky failed after 1 retry"],
    ]);
    expect(rejectedOn(db, today()).map((r) => [r.subject, r.data])).toEqual([["done", "{broken"]]);
    expect(phases(db).map((p) => `${p.workflow} ${p.phase} ${p.status}`)).toEqual([
      "chain.toml child ok",
      "chain.toml flaky ok",
      "chain.toml load ok",
      "chain.toml root ok",
    ]);
    const status = await api<{ history: { mode: string; reason: string } }>(history.url, "/api/v1/status");
    expect(status.history).toMatchObject({ mode: "ok", reason: "" });
  }, 30_000);

  it("backs up to a folder, and restores the newest backup when the file is deleted or corrupt", async () => {
    const dir = workflowDir({ "chain.toml": chain });
    const backups = mkdtempSync(join(tmpdir(), "taskmaster-backups-"));
    const flags = ["--cache.backup_path", backups, "--cache.backup_interval", "1h"];
    const first = await start(dir, flags);
    await runChain(first.log);
    await caughtUp(dir);
    const before = taskCount(dir);
    expect(before).toBeGreaterThanOrEqual(5);
    await first.svc.stop(); // the shutdown backup
    expect(readdirSync(backups).filter((n) => n.endsWith(".db"))).toHaveLength(1);

    rmSync(join(dir, "taskmaster.db"));
    for (const ext of ["-wal", "-shm"]) rmSync(join(dir, `taskmaster.db${ext}`), { force: true });
    const second = await start(dir, flags);
    expect(second.history.logged(/^history restored from taskmaster-.*\.db$/)).toHaveLength(1);
    await caughtUp(dir);
    expect(taskCount(dir)).toBe(before);
    await second.svc.stop();

    writeFileSync(join(dir, "taskmaster.db"), "this is not a database, it was overwritten by mistake");
    const third = await start(dir, flags);
    expect(third.history.logged(/^history file moved aside/)).toHaveLength(1);
    expect(third.history.logged(/^history restored from taskmaster-.*\.db$/)).toHaveLength(1);
    await caughtUp(dir);
    expect(taskCount(dir)).toBe(before);
    const aside = readdirSync(dir).filter((n) => /^taskmaster\.db\.corrupt-[^-]+$/.test(n));
    expect(aside).toHaveLength(1); // kept, never deleted
  }, 45_000);

  it("backs up to S3 and restores from it after the local file is lost", async () => {
    const dir = workflowDir({ "chain.toml": chain });
    const c = s3.config;
    const flags = [
      ...["--cache.backup_path", "s3://backups/taskmaster/test", "--cache.s3.endpoint", c.endpoint],
      ...["--cache.s3.access_key", c.accessKey, "--cache.s3.secret_key", c.secretKey],
      ...["--cache.s3.force_path_style", "true"],
    ];
    const first = await start(dir, flags);
    await runChain(first.log);
    await caughtUp(dir);
    const taken = await api<{ bytes: number }>(first.history.url, "/api/v1/backup", { method: "POST" });
    expect(taken.bytes).toBeGreaterThan(0);
    const before = taskCount(dir);
    await first.svc.stop(); // and the shutdown backup
    rmSync(join(dir, "taskmaster.db"));
    for (const ext of ["-wal", "-shm"]) rmSync(join(dir, `taskmaster.db${ext}`), { force: true });
    const second = await start(dir, flags);
    expect(second.history.logged(/^history restored from taskmaster-.*\.db$/)).toHaveLength(1);
    await caughtUp(dir);
    expect(taskCount(dir)).toBe(before);
  }, 45_000);

  it("rebuilds a lost cache with no backup from the tasks, done and audit streams", async () => {
    const dir = workflowDir({ "chain.toml": chain });
    const first = await start(dir);
    await runChain(first.log);
    const stored = published(first.log, "child").length;
    expect(stored).toBe(2);
    await first.svc.engine.audit({
      action: "reload",
      actor: "admin token 0123abcd",
      detail: {},
      outcome: "ok",
      tasks: 0,
    });
    await first.svc.stop();
    for (const ext of ["", "-wal", "-shm"]) rmSync(join(dir, `taskmaster.db${ext}`), { force: true });
    expect(existsSync(join(dir, "taskmaster.db"))).toBe(false);
    const second = await start(dir);
    await expect
      .poll(() => second.history.logged(/^history rebuilt from the streams$/), { timeout: 15_000 })
      .toEqual([expect.objectContaining({ messages: expect.any(Number) })]);
    await caughtUp(dir);
    const db = new BetterSqlite3(join(dir, "taskmaster.db"), { readonly: true });
    cleanups.push(() => db.close());
    // This file's earlier tests share the server, so their actions come back too: this one is the newest.
    expect(recentActions(db, 1)[0]).toMatchObject({
      action: "reload",
      actor: "admin token 0123abcd",
      outcome: "ok",
    });
    const children = tasksOn(db, today(), { type: "child" }).rows;
    expect(children.map((r) => [r.info, r.result]).sort()).toEqual([
      ["?part=a", "complete"],
      ["?part=b", "complete"],
    ]);
  }, 45_000);
});
