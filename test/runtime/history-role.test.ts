// The history role on a real nats-server, fed as the engines feed it: a cron slot's task and its done message on
// their streams, an alert entry on the journal, an engine's heartbeat in the instances bucket and its answer to a
// reload. The role started in-process on 127.0.0.1:0 shows the task, the engine and its readiness over HTTP,
// sends the alert to Slack, and publishes a person's retry to the tasks stream with its audit record.
import { request } from "node:http";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HistoryRole, startHistoryRole } from "../../cmd/taskmaster/history.ts";
import { ensureStreams } from "../../cmd/taskmaster/streams.ts";
import {
  answerRequests,
  connectNats,
  type Heartbeat,
  Publisher,
  reloadSubject,
  startHeartbeat,
} from "../../internal/bus/index.ts";
import { systemClock } from "../../internal/clock/index.ts";
import type { Config } from "../../internal/config/index.ts";
import { createEngine, publishingJournal } from "../../internal/engine/index.ts";
import { encodeEntry, journalMsgId, journalSubject, taskAlert } from "../../internal/journal/index.ts";
import { createLogger } from "../../internal/log/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import { loadSnapshot, type Snapshot } from "../../internal/workflow/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { tempDir } from "../helpers/records.ts";
import { SlackSink, shownText } from "../helpers/slack.ts";
import { waitFor } from "../helpers/wait.ts";
import { testConfig, workflowDir } from "./harness.ts";

const admin = "adm-0123456789abcdef";
const auth = { Authorization: `Bearer ${admin}` };
const workflow =
  '[[phase]]\ntask = "root"\nrule = "cron=@yearly"\n\n[[phase]]\ntask = "child"\ndependsOn = "root"\n';

let server: NatsServer;
let nc: NatsConnection;
let publisher: Publisher;
let heartbeat: Heartbeat | undefined;
let role: HistoryRole | null = null;
const slack = new SlackSink();
const data = tempDir();

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "history-role-test" });
  publisher = new Publisher(nc);
  await slack.start();
});

afterAll(async () => {
  await role?.stop();
  heartbeat?.stop();
  publisher?.close();
  await nc?.close();
  await server?.stop();
  await slack.stop();
  data.remove();
});

/** What an engine does: the streams made, a cron slot's task published with its journal entry, its heartbeat. */
async function engineWork(config: Config, snapshot: Snapshot): Promise<string> {
  await ensureStreams(await jetstreamManager(nc), config, snapshot);
  const engine = createEngine({
    outbox: publisher,
    subjects: {
      taskPrefix: config.nats.subjectPrefix,
      failed: config.failedTopic,
      retry: "taskmaster.retry",
    },
    clock: systemClock,
    host: "test",
    readMetaFile: () => [],
    journal: publishingJournal(publisher, systemClock),
  });
  engine.setSnapshot(snapshot);
  const root = snapshot.phases.find((p) => p.key === "root");
  if (!root) throw new Error("no phase root");
  await engine.fireCron(root, new Date("2026-03-04T00:00:00Z"));
  heartbeat = await startHeartbeat(nc, {
    id: "engine-1",
    clock: systemClock,
    onError: () => undefined,
    beat: () => ({
      id: "engine-1",
      role: "engine",
      version: "test",
      host: "sched-1",
      pid: 4242,
      since: "2026-03-04T00:00:00.000Z",
      nats: "connected",
      workflows: 1,
      phases: 2,
      engine: { inFlight: 3, oldestMs: 20, stuck: false },
    }),
  });
  answerRequests(nc, reloadSubject, async () => ({
    instance: "engine-1",
    changed: ["w.toml"],
    problems: [],
  }));
  return root.key;
}

async function json<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const r = await fetch(`${role?.url}${path}`, { ...init, headers: { ...auth, ...init.headers } });
  return { status: r.status, body: (await r.json()) as T };
}

/** A request with the Host header people's browsers send (fetch cannot set it). */
function statusWithHost(host: string): Promise<number> {
  const url = new URL(`${role?.url}/healthz`);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path: "/api/v1/status",
      headers: { Host: host, ...auth },
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

async function lastOf(stream: string) {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(stream);
  const m = await jsm.streams.getMessage(stream, { seq: state.last_seq });
  return {
    messages: state.messages,
    data: m?.json<Record<string, unknown>>(),
    kind: m?.header.get("Taskmaster-Kind"),
  };
}

describe("the history role", () => {
  it("serves what the engines published, sends their alerts, and publishes people's actions", async () => {
    const dir = workflowDir({ "w.toml": workflow });
    const config = testConfig(server.url, dir, [
      "--cache.path",
      join(data.dir, "history.db"),
      "--http.listen",
      "tm.example:8080",
      "--http.read_token",
      "rd-0123456789abcdef",
      "--http.admin_token",
      admin,
      "--slack.url",
      slack.url,
      "--slack.min_frequency",
      "1s",
    ]);
    const snapshot = await loadSnapshot(dir);
    await engineWork(config, snapshot);
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const sent = (await lastOf(config.streams.tasks)).data as { id: string; type: string; info: string };
    await js.publish(config.doneTopic, taskJson({ ...sent, result: "complete", msg: "" }));

    const log = createLogger({ level: "silent", format: "json" });
    const io = { out: () => {}, err: () => {}, cwd: dir, env: {}, readStdin: async () => "" };
    role = await startHistoryRole(config, io, log, { listen: "127.0.0.1:0" });
    expect(role).not.toBeNull();

    // The task and its done message, projected.
    await waitFor(
      async () => {
        const { body } = await json<{ rows: { type: string; result: string }[] }>("/api/v1/tasks");
        return body.rows?.some((r) => r.type === "root" && r.result === "complete") ?? false;
      },
      { message: "the root task, complete, in the history" },
    );
    expect((await fetch(`${role?.url}/readyz`)).status).toBe(200);
    expect(await statusWithHost("tm.example:8080")).toBe(200);
    expect(await statusWithHost("elsewhere.example")).toBe(421);

    // The engine, from its heartbeat.
    const status = await json<{ engines: { id: string; inFlight: number }[]; history: { mode: string } }>(
      "/api/v1/status",
    );
    expect(status.body.engines).toEqual([expect.objectContaining({ id: "engine-1", inFlight: 3 })]);
    expect(status.body.history.mode).toBe("ok");

    // An alert entry on the journal reaches Slack in a digest.
    const alert = taskAlert("retries-exhausted", { ...sent }, "root failed after 2 retries: disk full");
    await publisher.publish(
      journalSubject("alert"),
      encodeEntry(alert, new Date()),
      journalMsgId("alert", "t", 1),
    );
    await waitFor(() => slack.accepted.some((m) => shownText(m).includes("root")), {
      timeoutMs: 15_000,
      message: "the alert in a Slack digest",
    });

    // A retry: a task on the tasks stream, and who asked on the audit stream.
    const before = (await jsm.streams.info(config.streams.tasks)).state.messages;
    const { body: rows } = await json<{ rows: { key: string; type: string }[] }>("/api/v1/tasks");
    const key = rows.rows.find((r) => r.type === "root")?.key ?? "";
    const retry = await fetch(`${role?.url}/api/v1/tasks/${encodeURIComponent(key)}/retry`, {
      method: "POST",
      headers: { ...auth, "X-Taskmaster-Actor": "ops" },
    });
    expect(retry.status).toBe(200);
    const task = await lastOf(config.streams.tasks);
    expect(task.messages).toBe(before + 1);
    expect(task.data).toMatchObject({ type: "root", info: sent.info });
    expect(task.kind).toBe("retry");
    const audit = await lastOf("TASKMASTER_AUDIT");
    expect(audit.data).toMatchObject({ action: "retry", outcome: "ok", tasks: 1 });
    expect(String(audit.data?.actor)).toContain("(ops)");

    // A reload asked of every engine, with what each answered.
    const reload = await json<{ changed: string[]; engines: { instance: string }[] }>("/api/v1/refresh", {
      method: "POST",
    });
    expect(reload.body.changed).toEqual(["w.toml"]);
    expect(reload.body.engines.map((e) => e.instance)).toEqual(["engine-1"]);

    const r = role;
    role = null;
    await r?.stop();
    await expect(fetch(`${r?.url}/healthz`)).rejects.toThrow();
  });
});
