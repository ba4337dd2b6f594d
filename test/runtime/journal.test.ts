// The journal against a real nats-server: every fact no other stream holds is on TASKMASTER_EVENTS once, read back
// by its codec: a done message's alerts, a file's outcome and a refused message, though each was delivered again
// while its entry could not be stored; cron slots fired and skipped by two engines at once; a stuck message and a
// slot whose tasks NATS will not take. Tasks carry the headers of what the planner knew.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cronBucket, type EngineRole, startEngine } from "../../cmd/taskmaster/engine.ts";
import {
  connectNats,
  ensureConsumer,
  ensureStream,
  kvSlotStore,
  type StreamLimits,
} from "../../internal/bus/index.ts";
import { type Clock, manualClock } from "../../internal/clock/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { decodeEntry, type JournalEntry, journalStream, TaskHeader } from "../../internal/journal/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { EventLog, testConfig, workflowDir } from "./harness.ts";

/** Small enough that a cron task of 20 000 bytes is refused whole; every other message here is far below it. */
const maxPayload = 16_384;
const limits: StreamLimits = { maxAgeMs: 3_600_000, maxBytes: -1, duplicateWindowMs: 120_000, replicas: 1 };

let server: NatsServer;
let nc: NatsConnection;
const services: EngineRole[] = [];

beforeAll(async () => {
  server = await startNats({ config: `max_payload: ${maxPayload}\n` });
  nc = await connectNats({ url: server.url, name: "journal-test" });
});

afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const workflow = `
[[phase]]
task = "root"
rule = "cron=@yearly"

[[phase]]
task = "child"
dependsOn = "root"
retry = 1
rule = "retry_delay=100ms&backoff=1"

[[phase]]
task = "ingest:eu"
rule = "files=/landing/*.csv"
template = "{meta:file}"
`;

async function start(dir: string, flags: string[] = [], clock?: Clock) {
  const events = new EngineEvents();
  const log = new EventLog(events);
  const service = await startEngine(testConfig(server.url, dir, flags), dir, events, clock ? { clock } : {});
  services.push(service);
  return { service, log };
}

/** Every entry of the events stream, read back by the codec. */
async function entries(): Promise<JournalEntry[]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(journalStream);
  const found: JournalEntry[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(journalStream, { seq });
    if (m) found.push(decodeEntry(m.data));
  }
  return found;
}

const ofType = <T extends JournalEntry["type"]>(all: JournalEntry[], type: T) =>
  all.filter((e): e is Extract<JournalEntry, { type: T }> => e.type === type);

/** The headers of every message of `stream`, as [kind, workflow, phase]. */
async function taskHeaders(stream: string): Promise<string[][]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(stream);
  const found: string[][] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const h = (await jsm.streams.getMessage(stream, { seq }))?.header;
    found.push([TaskHeader.kind, TaskHeader.workflow, TaskHeader.phase].map((name) => h?.get(name) ?? ""));
  }
  return found;
}

const done = (fields: Record<string, string>) =>
  taskJson({ type: "child", info: "", created: "2024-01-15T00:00:00Z", meta: "workflow=w.toml", ...fields });

/** Waits until a durable consumer has delivered everything and nothing waits for its ack. */
async function settled(stream: string, durable: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await waitFor(
    async () => {
      const c = await jsm.consumers.info(stream, durable);
      return c.num_pending + c.num_ack_pending === 0;
    },
    { timeoutMs: 30_000, message: `${durable} settled` },
  );
}

describe("the journal", () => {
  it("records a done message's alerts, a file's outcome and a refused message once, though each came twice", async () => {
    // Consumers that deliver again one second after a delivery not acked (the service keeps existing ones).
    const jsm = await jetstreamManager(nc);
    for (const [stream, subjects, durable, filterSubject] of [
      ["TASKMASTER_DONE", ["done"], "taskmaster-done", "done"],
      ["TASKMASTER_FILES", ["files", "taskmaster.files"], "taskmaster-files", ""],
    ] as const) {
      await ensureStream(jsm, { name: stream, subjects: [...subjects], description: "" }, limits);
      await ensureConsumer(jsm, { stream, durable, filterSubject, ackWaitMs: 1000, maxAckPending: 512 });
    }
    const dir = workflowDir({ "w.toml": workflow });
    const { log } = await start(dir);
    // While the events stream is away, nothing an input causes can be all stored: each input comes back.
    const events = await jsm.streams.info(journalStream);
    await jsm.streams.delete(journalStream);
    const js = jetstream(nc);
    await js.publish(
      "done",
      done({ id: "a1", result: "error", msg: "boom", meta: "workflow=w.toml&retry=1" }),
    );
    await js.publish("done", done({ id: "a2", result: "alert", msg: "look at me" }));
    await js.publish("done", "{nope");
    await js.publish("files", JSON.stringify({ path: "/landing/x.csv", size: 3 }));
    await waitFor(
      async () => {
        const [d, f] = await Promise.all([
          jsm.consumers.info("TASKMASTER_DONE", "taskmaster-done"),
          jsm.consumers.info("TASKMASTER_FILES", "taskmaster-files"),
        ]);
        return d.num_redelivered >= 3 && f.num_redelivered >= 1;
      },
      { timeoutMs: 15_000, message: "every input delivered again" },
    );
    expect(log.of("taskDone").filter((e) => e.redelivered).length).toBeGreaterThanOrEqual(2);
    await jsm.streams.add(events.config);
    await settled("TASKMASTER_DONE", "taskmaster-done");
    await settled("TASKMASTER_FILES", "taskmaster-files");

    const all = await entries();
    expect(ofType(all, "alert").map((e) => [e.kind, e.task.id, e.message])).toEqual(
      expect.arrayContaining([
        ["retries-exhausted", "a1", "child failed after 1 retry: boom"],
        ["task-alert", "a2", "look at me"],
      ]),
    );
    expect(ofType(all, "alert")).toHaveLength(2);
    expect(ofType(all, "rejected")).toEqual([
      expect.objectContaining({
        subject: "done",
        data: "{nope",
        reason: expect.stringMatching(/^not valid JSON/),
      }),
    ]);
    const files = ofType(all, "file");
    expect(files).toEqual([
      expect.objectContaining({ path: "/landing/x.csv", size: 3, source: "topic", status: "triggered" }),
    ]);
    expect(files[0]?.tasks).toEqual([
      expect.objectContaining({
        name: "ingest:eu",
        subject: "ingest",
        workflow: "w.toml",
        phase: "ingest:eu",
      }),
    ]);
    expect(all).toHaveLength(4);
    // What the planner knew, on the tasks: the file's task and the failed copy.
    expect(await taskHeaders("TASKMASTER_TASKS")).toEqual([["file", "w.toml", "ingest:eu"]]);
    expect(await taskHeaders("TASKMASTER_FAILED")).toEqual([["failed", "w.toml", "child"]]);
  }, 60_000);

  it("puts the headers of their kind on children, released retries and failed copies", async () => {
    const { log } = await start(workflowDir({ "w.toml": workflow }));
    const js = jetstream(nc);
    await js.publish("done", done({ type: "root", id: "h1", result: "complete" }));
    await js.publish("done", done({ id: "h2", result: "error", msg: "first" }));
    await log.until("taskPublished", (e) => e.emission.kind === "retry");
    await js.publish(
      "done",
      done({ id: "h2", result: "error", msg: "again", meta: "workflow=w.toml&retry=1" }),
    );
    await log.until("taskFailed");
    expect(await taskHeaders("TASKMASTER_TASKS")).toEqual([
      ["child", "w.toml", "child"],
      ["retry", "w.toml", "child"],
    ]);
    expect(await taskHeaders("TASKMASTER_FAILED")).toEqual([["failed", "w.toml", "child"]]);
  });

  it("records the slots two engines fire and skip, and the set they loaded, once each", async () => {
    const wf = '[[phase]]\ntask = "m"\nrule = "cron=0 * * * * *&catchup=latest&catchup_window=1h"\n';
    const dir = workflowDir({ "w.toml": wf });
    const store = await kvSlotStore(nc, cronBucket);
    const lastMinute = Math.floor(Date.now() / 60_000) * 60_000;
    // Both start half a minute into the same minute, from the same last slot (the second read it before the first
    // stored its fire): each fires 1 slot and skips 9.
    const engines = [];
    for (let i = 0; i < 2; i++) {
      await store.set("w.toml|m", new Date(lastMinute - 10 * 60_000));
      engines.push(await start(dir, [], manualClock(lastMinute + 30_000)));
    }
    for (const { log } of engines) {
      expect(log.of("cronFired")).toHaveLength(1);
      expect(log.of("cronSkipped").map((e) => e.skipped)).toEqual([9]);
    }
    const all = await entries();
    const slot = new Date(lastMinute).toISOString();
    expect(ofType(all, "cron")).toEqual([
      expect.objectContaining({ workflow: "w.toml", phase: "m", slot, tasks: 1 }),
    ]);
    expect(ofType(all, "skipped")).toEqual([
      expect.objectContaining({
        workflow: "w.toml",
        phase: "m",
        skipped: 9,
        first: new Date(lastMinute - 9 * 60_000).toISOString(),
        last: new Date(lastMinute - 60_000).toISOString(),
      }),
    ]);
    const loaded = ofType(all, "reload");
    expect(loaded).toEqual([expect.objectContaining({ workflows: 1, changed: ["w.toml"] })]);
    expect(loaded[0]?.phases).toEqual([
      expect.objectContaining({
        workflow: "w.toml",
        phase: "m",
        rule: "cron=0 * * * * *&catchup=latest&catchup_window=1h",
        status: "ok",
      }),
    ]);
    expect(await taskHeaders("TASKMASTER_TASKS")).toEqual([["cron", "w.toml", "m"]]);
  });

  it("records a message held past engine.stuck_after, and a slot whose tasks NATS will not take, once each", async () => {
    const big = `[[phase]]\ntask = "big"\nrule = "cron=0 * * * * *"\ntemplate = "?x=${"x".repeat(20_000)}"\n`;
    const dir = workflowDir({ "w.toml": workflow, "big.toml": big });
    const store = await kvSlotStore(nc, cronBucket);
    const lastMinute = Math.floor(Date.now() / 60_000) * 60_000;
    await store.set("big.toml|big", new Date(lastMinute - 60_000));
    const clock = manualClock(lastMinute + 30_000);
    const { log, service } = await start(dir, ["--engine.stuck_after", "1s"], clock);
    const failed = () => log.of("error").filter((e) => e.where.startsWith("cron big.toml: big"));
    expect(failed()).toHaveLength(1);
    await clock.advance(1000); // the slot is tried again, and refused again
    await waitFor(() => failed().length === 2, { message: "the slot tried again" });

    const jsm = await jetstreamManager(nc);
    const tasks = await jsm.streams.info("TASKMASTER_TASKS");
    await jsm.streams.delete("TASKMASTER_TASKS");
    await jetstream(nc).publish("done", done({ type: "root", id: "s1", result: "complete" }));
    await waitFor(() => service.engine.inFlight === 1, { message: "the done message held" });
    await clock.advance(1500);
    await waitFor(() => log.of("workStuck").length === 1, { message: "held past engine.stuck_after" });
    await waitFor(async () => ofType(await entries(), "alert").length === 2, { message: "two alerts" });
    await jsm.streams.add(tasks.config);
    await settled("TASKMASTER_DONE", "taskmaster-done");

    const alerts = ofType(await entries(), "alert");
    expect(alerts.map((a) => [a.kind, a.task.type])).toEqual([
      ["publish-failed", "cron"],
      ["engine-stuck", "done"],
    ]);
    expect(alerts[0]?.message).toMatch(
      /^cron big\.toml: big at .*over the 16\d+ bytes NATS takes \(max_payload\)/,
    );
    expect(alerts[1]?.message).toMatch(/^a done message \(done #1\) has been worked on for /);
    // The set loaded, too large for one message as it is: its long template shortened.
    const [loaded] = ofType(await entries(), "reload");
    expect(loaded?.phases.find((p) => p.phase === "big")?.template).toBe(`?x=${"x".repeat(194)}...`);
  }, 30_000);
});
