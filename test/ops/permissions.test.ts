// The NATS accounts of docs/operations.md, as config/deploy/nats-accounts.conf writes them, against a real
// nats-server running that very file: both roles (with config/deploy/taskmaster.toml) as the taskmaster user, the
// worker kit as the worker user and a file producer as the producer user do all their work, and nothing more.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import { counts, recentActions } from "../../internal/cache/index.ts";
import { type Config, loadConfig } from "../../internal/config/index.ts";
import type { EventOf } from "../../internal/engine/index.ts";
import { parseMeta, type Task, taskJson } from "../../internal/task/index.ts";
import { type Outcome, startWorker, type Worker, type WorkerEvent } from "../../internal/worker/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { SlackSink } from "../helpers/slack.ts";
import { waitFor } from "../helpers/wait.ts";
import { type BothRoles, historyHolds, startBoth } from "../runtime/both.ts";
import { type EventLog, workflowDir } from "../runtime/harness.ts";

const root = join(import.meta.dirname, "../..");
const accounts = readFileSync(join(root, "config/deploy/nats-accounts.conf"), "utf8");
const passwords = {
  taskmaster: randomBytes(12).toString("hex"),
  worker: randomBytes(12).toString("hex"),
  producer: randomBytes(12).toString("hex"),
};
/**
 * The variables the file reads its passwords from. nats-server reads a variable's value as it reads a value in the
 * file, so each is quoted, as docs/operations.md says (unquoted, a password starting with a digit is a parse error).
 */
const passwordVariables = {
  NATS_TASKMASTER_PASSWORD: JSON.stringify(passwords.taskmaster),
  NATS_WORKER_PASSWORD: JSON.stringify(passwords.worker),
  NATS_PRODUCER_PASSWORD: JSON.stringify(passwords.producer),
};

const scratch = mkdtempSync(join(tmpdir(), "taskmaster-ops-"));
const landing = join(scratch, "landing");
const serverLog = join(scratch, "nats.log");

let server: NatsServer;
const slack = new SlackSink();
const connections: NatsConnection[] = [];
const workers: Worker[] = [];
let service: BothRoles | undefined;

async function connectAs(user: keyof typeof passwords): Promise<NatsConnection> {
  const nc = await connectNats({ url: server.url, name: `ops-${user}`, user, pass: passwords[user] });
  connections.push(nc);
  return nc;
}

beforeAll(async () => {
  mkdirSync(landing);
  await slack.start();
  // nats-server reads the variables when it starts; the file is used as it is, with a log file to read its refusals.
  Object.assign(process.env, passwordVariables);
  try {
    server = await startNats({
      config: `${accounts}\nlog_file: ${JSON.stringify(serverLog)}\n`,
      login: { user: "producer", pass: passwords.producer },
    });
  } finally {
    for (const name of Object.keys(passwordVariables)) delete process.env[name];
  }
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await service?.stop();
  await Promise.all(connections.map((nc) => nc.close()));
  await server?.stop();
  await slack.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const workflows = `
[[phase]]
task = "extract"
rule = "cron=* * * * * *"
template = "?day={yyyy}-{mm}-{dd}"

[[phase]]
task = "load"
dependsOn = "extract"
template = "?day={yyyy}-{mm}-{dd}"
retry = 1
rule = "retry_delay=100ms"

[[phase]]
task = "report"
dependsOn = "load"
template = "?day={yyyy}-{mm}-{dd}"

[[phase]]
task = "ingest"
rule = "files=${landing}/*.csv"
template = "{meta:file}"
`;

/** A token file in the scratch folder, as the deployment keeps them in /etc/taskmaster. */
function tokenFile(name: string): string {
  const path = join(scratch, `${name}-token`);
  writeFileSync(path, `${name}-${randomBytes(12).toString("hex")}\n`);
  return path;
}

/**
 * The deployment's service config, with this test's server, workflows, folders and Slack in place of the real ones;
 * `flags` as an operator would add them.
 */
function deployConfig(workflow: string, flags: readonly string[] = []): Config {
  const { config, problems } = loadConfig({
    file: "config/deploy/taskmaster.toml",
    cwd: root,
    env: { TASKMASTER_NATS_PASS: passwords.taskmaster },
    flags: [
      ...["--nats.url", server.url, "--workflow", workflow, "--log.level", "silent"],
      ...["--cache.path", join(scratch, "cache", "taskmaster.db")],
      ...["--cache.backup_path", join(scratch, "backups")],
      ...["--http.read_token_file", tokenFile("read"), "--http.admin_token_file", tokenFile("admin")],
      ...["--files.settle", "300ms", "--files.scan_interval", "1s"],
      ...["--slack.url", slack.url, "--slack.min_frequency", "1s"],
      ...flags,
    ],
  });
  expect(problems).toEqual([]);
  return config;
}

/** What the workers do: `load` fails its first attempt (a retry follows), `report` always fails (no retries). */
function decide(): (task: Task) => Outcome {
  const seen = new Set<string>();
  return (task) => {
    if (task.type === "report") return { result: "error", msg: "report fails for good" };
    if (task.type === "load" && !seen.has(task.id ?? "")) {
      seen.add(task.id ?? "");
      return { result: "error", msg: "first attempt fails" };
    }
    return { result: "complete" };
  };
}

/** What the history logged at error level (a refusal it met, say). */
function errorsLogged(roles: BothRoles): unknown[] {
  return roles.history.logged(/./).filter((line) => Number(line.level) >= 50);
}

/** The lines nats-server logged about refused publishes and subscriptions, for one user. */
function violations(user: string): string[] {
  const lines = readFileSync(serverLog, "utf8").split("\n");
  return lines.filter((line) => /Violation/.test(line) && line.includes(`User "${user}"`));
}

/** What a client sees of a refusal: the server's words, and the error the client made of them. */
async function refusal(attempt: Promise<unknown>): Promise<{ message: string; cause: string }> {
  const err = await attempt.then(
    () => new Error("not refused"),
    (e: Error) => e,
  );
  const cause = err.cause instanceof Error ? err.cause : err;
  return { message: err.message, cause: cause.name };
}

describe("the NATS accounts of docs/operations.md", () => {
  let log: EventLog;
  let config: Config;

  it("let both roles, a worker and a producer run cron → task → worker → done → child, retries and files", async () => {
    const dir = workflowDir({ "ops.toml": workflows });
    config = deployConfig(dir);
    service = await startBoth(config, root);
    log = service.log;

    const worker = await connectAs("worker");
    const handler = decide();
    for (const topic of ["extract", "load", "report", "ingest"])
      workers.push(
        startWorker(worker, {
          topic: `tasks.${topic}`,
          doneSubject: "done",
          handler: async (task) => handler(task),
          graceMs: 2000,
        }),
      );

    // cron → extract → done → load, which fails once: its retry waits on taskmaster's retry stream, then completes.
    const loaded = await log.until(
      "taskDone",
      (e) => e.task.type === "load" && e.task.result === "complete",
      30_000,
    );
    expect(log.of("retryScheduled").some((e) => e.task.id === loaded.task.id)).toBe(true);
    // load → report, which fails with no retries left: it goes to the failed topic.
    const failed = await log.until("taskFailed", (e) => e.task.type === "report", 30_000);
    const onFailedTopic = (e: EventOf<"taskPublished">) =>
      e.subject === "retry-failed" && e.emission.task.id === failed.task.id;
    expect(log.of("taskPublished").some(onFailedTopic)).toBe(true);

    // A producer announces a file on the files topic; another file lands in a watched folder.
    const producer = await connectAs("producer");
    const announced = join(landing, "announced.csv");
    const ack = await jetstream(producer).publish(
      "files",
      JSON.stringify({ path: announced, size: 10, created: new Date().toISOString() }),
      { msgID: "ops-announced" },
    );
    expect(ack.stream).toBe("TASKMASTER_FILES");
    const watched = join(landing, "watched.csv");
    writeFileSync(watched, "a,b\n1,2\n");
    for (const path of [announced, watched]) {
      await log.until("fileArrived", (e) => e.file.path === path && e.status === "triggered", 30_000);
      await log.until(
        "taskDone",
        (e) => e.task.type === "ingest" && parseMeta(e.task.meta).get("file") === path,
        30_000,
      );
    }

    // The audit trail and the state of every stream and consumer, as the about page and /metrics read them.
    await service.engine.audit({ action: "reload", actor: "ops-test", detail: {}, outcome: "ok", tasks: 0 });
    await log.until("actionTaken", (e) => e.actor === "ops-test");
    const streams = await service.engine.streams();
    expect(streams.map((s) => [s.name, s.problem])).toEqual([
      ["TASKMASTER_TASKS", ""],
      ["TASKMASTER_DONE", ""],
      ["TASKMASTER_FILES", ""],
      ["TASKMASTER_RETRY", ""],
      ["TASKMASTER_AUDIT", ""],
      ["TASKMASTER_EVENTS", ""],
      ["TASKMASTER_FAILED", ""],
    ]);
    // The journal holds what no other stream does: the set loaded, cron slots, the files, the report's alert.
    const journal = streams.find((s) => s.name === "TASKMASTER_EVENTS");
    expect(journal?.messages).toBeGreaterThanOrEqual(5);
    // The engine's heartbeat, and its answer to a reload request from another taskmaster process.
    const asker = await connectAs("taskmaster");
    const instances = await new Kvm(asker).open("taskmaster_instances", { allow_direct: true });
    expect((await instances.get(service.engine.instance))?.json()).toMatchObject({
      role: "engine",
      nats: "connected",
    });
    const reply = await asker.request("taskmaster.control.reload", "", { timeout: 10_000 });
    expect(reply.json()).toEqual({ instance: service.engine.instance, changed: [], problems: [] });
    // The report's failure went to Slack in a digest, whose time is kept in the alerts bucket for the next start.
    const alerts = await new Kvm(await connectAs("taskmaster")).open("taskmaster_alerts", {
      allow_direct: true,
    });
    await waitFor(async () => (await alerts.get("digest"))?.operation === "PUT", {
      timeoutMs: 30_000,
      message: "a digest sent, and its time stored",
    });
    await waitFor(() => slack.accepted.length > 0, { timeoutMs: 10_000, message: "the digest posted" });
    expect(log.of("error")).toEqual([]);
    expect(errorsLogged(service)).toEqual([]);
    expect(violations("taskmaster")).toEqual([]);
  }, 90_000);

  it("let both roles start again with a new files.retention, and rebuild a lost history from the streams", async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await service?.stop();
    rmSync(join(scratch, "cache"), { recursive: true, force: true });
    rmSync(join(scratch, "backups"), { recursive: true, force: true });
    const again = deployConfig(config.workflow, ["--files.retention", "24h"]);
    service = await startBoth(again, root);
    log = service.log;
    // The ledger's bucket was brought to the new retention: a stream update.
    const ledger = await new Kvm(await connectAs("taskmaster")).open("taskmaster_files", {
      allow_direct: true,
    });
    expect(await ledger.status()).toMatchObject({ ttl: 24 * 3_600_000 });
    await historyHolds(await connectAs("taskmaster"), again, root, 30_000);
    expect(service.history.logged(/^history rebuilt from the streams$/)).toHaveLength(1);
    const db = new BetterSqlite3(again.cache.path, { readonly: true });
    try {
      expect(counts(db).tasks).toBeGreaterThan(0);
      expect(db.prepare("SELECT count(*) AS n FROM tasks WHERE result != ''").get()).not.toEqual({ n: 0 });
      expect(recentActions(db, 10).map((a) => a.actor)).toEqual(["ops-test"]);
    } finally {
      db.close();
    }
    expect(errorsLogged(service)).toEqual([]);
    await service.stop();
    service = undefined;
    expect(log.of("error")).toEqual([]);
    expect(violations("taskmaster")).toEqual([]);
  }, 60_000);

  it("let a worker that stops hand the tasks still waiting back to its topic", async () => {
    const topic = "tasks.handback";
    const taskmaster = await connectAs("taskmaster");
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const events: WorkerEvent[] = [];
    const holder = await connectAs("worker");
    const first = startWorker(holder, {
      topic,
      handler: async () => {
        await held;
        return { result: "complete" };
      },
      onEvent: (e) => events.push(e),
    });
    await holder.flush(); // its subscription is in place before the tasks are sent
    for (const info of ["one", "two"])
      taskmaster.publish(topic, taskJson({ type: "handback", info, id: info }));
    await waitFor(() => events.some((e) => e.type === "started"), { message: "the first task started" });
    const taken: string[] = [];
    const other = await connectAs("worker");
    const second = startWorker(other, {
      topic,
      handler: async (task) => {
        taken.push(task.info);
        return { result: "complete" };
      },
    });
    workers.push(second);
    await other.flush(); // its subscription is in place before the first worker hands back
    const stopped = first.stop();
    release();
    await stopped;
    expect(events.filter((e) => e.type === "requeued").map((e) => e.task.info)).toEqual(["two"]);
    await waitFor(() => taken.includes("two"), { message: "the handed-back task taken by the other worker" });
    expect(violations("worker")).toEqual([]);
  });

  it("keep a worker from sending retries or reading taskmaster's KV buckets", async () => {
    const worker = await connectAs("worker");
    expect(await refusal(worker.request("taskmaster.retry", "{}", { timeout: 5000 }))).toEqual({
      message: 'Permissions Violation for Publish to "taskmaster.retry"',
      cause: "PermissionViolationError",
    });
    for (const bucket of ["taskmaster_cron", "taskmaster_files", "taskmaster_alerts"]) {
      const kv = await new Kvm(worker).open(bucket);
      expect(await refusal(kv.get("digest"))).toEqual({
        message: `Permissions Violation for Publish to "$JS.API.STREAM.MSG.GET.KV_${bucket}"`,
        cause: "PermissionViolationError",
      });
      expect(await refusal(kv.put("digest", "2000-01-01T00:00:00Z"))).toEqual({
        message: `Permissions Violation for Publish to "$KV.${bucket}.digest"`,
        cause: "PermissionViolationError",
      });
    }
    await waitFor(() => violations("worker").length >= 4, { message: "the server's log of the refusals" });
    expect(violations("worker").join("\n")).toContain('Subject "taskmaster.retry"');
  });

  it("keep a producer from sending tasks or done messages", async () => {
    const producer = await connectAs("producer");
    for (const subject of ["tasks.extract", "done"])
      expect(await refusal(producer.request(subject, "{}", { timeout: 5000 }))).toEqual({
        message: `Permissions Violation for Publish to "${subject}"`,
        cause: "PermissionViolationError",
      });
  });
});
