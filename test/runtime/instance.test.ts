// A running engine among others, against a real nats-server: its heartbeat in the instances bucket, and its answer
// to a reload request, which puts a changed set to use (or refuses a bad one) and records it in the journal once.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type EngineRole, startEngine } from "../../cmd/taskmaster/engine.ts";
import { version } from "../../cmd/taskmaster/version.ts";
import { connectNats, instancesBucket, type ReloadReply, reloadSubject } from "../../internal/bus/index.ts";
import { manualClock } from "../../internal/clock/index.ts";
import { decodeEntry, type JournalEntry, journalStream } from "../../internal/journal/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { testConfig, workflowDir } from "./harness.ts";

let server: NatsServer;
let nc: NatsConnection;
let service: EngineRole | undefined;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "instance-test" });
});

afterEach(async () => {
  await service?.stop();
  service = undefined;
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const daily = '[[phase]]\ntask = "a"\nrule = "cron=@daily"\n';

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

async function askReload(): Promise<ReloadReply> {
  return (await nc.request(reloadSubject, "", { timeout: 10_000 })).json<ReloadReply>();
}

describe("an engine among others", () => {
  it("writes its heartbeat to taskmaster_instances under its own id", async () => {
    const dir = workflowDir({ "w.toml": daily });
    service = await startEngine(testConfig(server.url, dir), dir);
    const kv = await new Kvm(nc).open(instancesBucket);
    expect((await kv.status()).ttl).toBe(30_000);
    const beat = (await kv.get(service.instance))?.json<Record<string, unknown>>();
    expect(beat).toEqual({
      id: service.instance,
      role: "engine",
      version,
      host: expect.any(String),
      pid: process.pid,
      since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      nats: "connected",
      workflows: 1,
      phases: 1,
      engine: { inFlight: 0, oldestMs: 0, stuck: false },
    });
  });

  it("answers a reload request, puts the changed set to use, and records each set once", async () => {
    const dir = workflowDir({ "w.toml": daily });
    // A clock that is not moved: the watcher's own reloads (after file events, by rescans) never come.
    service = await startEngine(testConfig(server.url, dir), dir, undefined, { clock: manualClock() });
    writeFileSync(join(dir, "more.toml"), '[[phase]]\ntask = "b"\nrule = "cron=@hourly"\n');
    expect(await askReload()).toEqual({ instance: service.instance, changed: ["more.toml"], problems: [] });
    expect(service.engine.snapshot()?.phases.map((p) => p.key)).toEqual(["b", "a"]);
    expect(await askReload()).toEqual({ instance: service.instance, changed: [], problems: [] });

    writeFileSync(join(dir, "more.toml"), '[[phase]]\ntask = "b"\nrule = "cron=not a cron"\n');
    for (let i = 0; i < 2; i++) {
      const refused = await askReload();
      expect(refused.changed).toEqual([]);
      expect(refused.problems.map((p) => [p.severity, p.workflow, p.message])).toEqual([
        ["error", "more.toml", expect.stringMatching(/^invalid cron "not a cron"/)],
      ]);
    }
    expect(service.engine.snapshot()?.workflows.size).toBe(2);

    const all = await entries();
    expect(all.map((e) => e.type)).toEqual(["reload", "reload", "reload-rejected"]);
    const [start, reload, rejected] = all;
    expect(start).toMatchObject({ workflows: 1, changed: ["w.toml"] });
    expect(reload).toMatchObject({ workflows: 2, changed: ["more.toml"] });
    expect(reload?.type === "reload" && reload.phases.map((p) => [p.workflow, p.phase, p.rule])).toEqual([
      ["more.toml", "b", "cron=@hourly"],
      ["w.toml", "a", "cron=@daily"],
    ]);
    expect(rejected).toMatchObject({
      problems: [expect.stringMatching(/^more\.toml:1: b: rule\.cron: invalid cron "not a cron"/)],
    });
  });
});
