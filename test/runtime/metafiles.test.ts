// Meta-files kept in buckets, read by the running engine (and the history, for previews) through the real S3 client: s3:// from s3rver, and gs://
// from the same s3rver standing in for GCS's XML API (which is the S3 API). A cron batch, a parent's children and a
// backload read them; a file that cannot be read is an alert naming its URL; a gs:// meta-file without the HMAC key
// refuses to start.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type EngineRole, StartupError, startEngine } from "../../cmd/taskmaster/engine.ts";
import { main } from "../../cmd/taskmaster/main.ts";
import { openBucketClient } from "../../internal/bucket/index.ts";
import { connectNats } from "../../internal/bus/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { type FakeS3, startFakeS3 } from "../helpers/s3.ts";
import { startHistory } from "./both.ts";
import { EventLog, published, testConfig, workflowDir, writeWorkflows } from "./harness.ts";

let server: NatsServer;
let nc: NatsConnection;
let root: string;
let s3: FakeS3;
let client: S3Client;
let service: EngineRole | undefined;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "metafiles-test" });
  root = mkdtempSync(join(tmpdir(), "taskmaster-remote-meta-"));
  s3 = await startFakeS3(join(root, "s3rver"), "meta");
  client = await openBucketClient("s3", s3.access);
  const put = (Key: string, Body: string) => client.send(new PutObjectCommand({ Bucket: "meta", Key, Body }));
  await put("customers.ndjson", '{"id":"c1"}\n{"id":"c2"}\n');
  await put("regions/eu.csv", "region\neu\n");
  await put("regions/us.csv", "region\nus\n");
});

afterEach(async () => {
  await service?.stop();
  service = undefined;
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  await nc?.close();
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

const reportPhase = `
[[phase]]
task = "report"
rule = "cron=0 0 3 * * *&meta-file=s3://meta/customers.ndjson"
template = "?c={meta:id}&d={yyyy}-{mm}-{dd}"
`;

const workflow = `${reportPhase}
[[phase]]
task = "extract"
rule = "cron=0 0 4 * * *"
template = "?d={yyyy}-{mm}-{dd}"

[[phase]]
task = "per-region"
dependsOn = "extract"
rule = "meta-file=gs://meta/regions/*.csv"
template = "?r={meta:region}&d={yyyy}-{mm}-{dd}"

[[phase]]
task = "lost"
rule = "cron=0 0 5 * * *&meta-file=s3://meta/gone.ndjson"
template = "?c={meta:id}"
`;

/** The stores pointed at the s3rver (GCS's too unless `gcs` is false), and no history file. */
function storeFlags({ gcs = true } = {}): string[] {
  const { endpoint, accessKey, secretKey } = s3.config;
  const s3Flags = [
    ...["--cache.path", "", "--cache.s3.endpoint", endpoint, "--cache.s3.force_path_style", "true"],
    ...["--cache.s3.access_key", accessKey, "--cache.s3.secret_key", secretKey],
  ];
  const gcsFlags = ["--cache.gcs.endpoint", endpoint, "--cache.gcs.access_key", accessKey];
  return gcs ? [...s3Flags, ...gcsFlags, "--cache.gcs.secret_key", secretKey] : s3Flags;
}

async function start(flags: string[], files: Record<string, string> = { "w.toml": workflow }) {
  const dir = workflowDir(files);
  const events = new EngineEvents();
  const log = new EventLog(events);
  const config = testConfig(server.url, dir, flags);
  service = await startEngine(config, dir, events);
  const phase = (key: string) => {
    const found = service?.engine.snapshot()?.phases.find((p) => p.key === key);
    if (!found) throw new Error(`no phase ${key}`);
    return found;
  };
  return { log, svc: service, phase, config, dir };
}

const infos = (log: EventLog, type: string) =>
  published(log, type)
    .map((e) => e.emission.task.info)
    .sort();

describe("meta-files in buckets", () => {
  it("emits a cron batch with one task per row of an s3:// meta-file", async () => {
    const { log, svc, phase } = await start(storeFlags());
    const tasks = await svc.engine.fireCron(phase("report"), new Date("2024-03-01T03:00:00Z"));
    expect(tasks).toBe(2);
    expect(infos(log, "report")).toEqual(["?c=c1&d=2024-03-01", "?c=c2&d=2024-03-01"]);
    expect(log.of("alertRaised")).toEqual([]);
  });

  it("gives a parent's children one task per row of a gs:// glob, read through GCS's XML API", async () => {
    const { log } = await start(storeFlags());
    const parent = { type: "extract", info: "?d=2024-03-01", id: "p1", result: "complete" as const };
    const meta = "workflow=w.toml&cron=2024-03-01T04";
    await jetstream(nc).publish("done", new TextEncoder().encode(taskJson({ ...parent, meta })));
    await log.until("taskPublished", () => published(log, "per-region").length === 2);
    expect(infos(log, "per-region")).toEqual(["?r=eu&d=2024-03-01", "?r=us&d=2024-03-01"]);
    expect(published(log, "per-region").map((e) => e.emission.task.id)).toEqual(["p1", "p1"]);
  });

  it("previews a backload of a phase with an s3:// meta-file through the history's API", async () => {
    const dir = workflowDir({ "w.toml": workflow });
    const config = testConfig(server.url, dir, [...storeFlags(), "--cache.path", join(dir, "taskmaster.db")]);
    const http = await startHistory(config, dir);
    try {
      const answer = await fetch(`${http.url}/backload`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ Task: "report", At: "2024-03-01" }),
      });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { Count: number; Tasks: { info: string }[] };
      expect(body.Tasks.map((t) => t.info)).toEqual(["?c=c1&d=2024-03-01", "?c=c2&d=2024-03-01"]);
    } finally {
      await http.stop();
    }
  });

  it("raises an alert naming the URL of a meta-file that is not there, and emits nothing", async () => {
    const { log, svc, phase } = await start(storeFlags());
    expect(await svc.engine.fireCron(phase("lost"), new Date("2024-03-01T05:00:00Z"))).toBe(0);
    expect(log.of("alertRaised").map((e) => e.alert.message)).toEqual([
      "batch for w.toml: lost at 2024-03-01T05 failed: no files found for s3://meta/gone.ndjson",
    ]);
  });

  it("refuses to start with a gs:// meta-file and no HMAC key, naming what to set", async () => {
    const failure = await start(storeFlags({ gcs: false })).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as StartupError).message).toMatch(/have meta-files that cannot be read/);
    expect((failure as StartupError).problems.map((p) => [p.workflow, p.phase, p.key, p.message])).toEqual([
      [
        "w.toml",
        "per-region",
        "rule.meta-file",
        "gs://meta/regions/*.csv cannot be read: gs:// is read through GCS's XML API with an HMAC key: " +
          "set cache.gcs.access_key and cache.gcs.secret_key " +
          "(TASKMASTER_CACHE_GCS_ACCESS_KEY, TASKMASTER_CACHE_GCS_SECRET_KEY)",
      ],
    ]);
  });

  it("keeps the last good set when a reload adds a gs:// meta-file it has no HMAC key for", async () => {
    const { dir, log, svc } = await start(storeFlags({ gcs: false }), { "w.toml": reportPhase });
    writeWorkflows(dir, {
      "more.toml": '[[phase]]\ntask = "more"\nrule = "cron=@daily&meta-file=gs://meta/x.csv"\n',
    });
    const rejected = await log.until("workflowsRejected");
    expect(rejected.problems.map((p) => `${p.workflow}: ${p.phase}: ${p.message}`)).toEqual([
      expect.stringMatching(
        /^more\.toml: more: gs:\/\/meta\/x\.csv cannot be read: .* set cache\.gcs\.access_key/,
      ),
    ]);
    expect(svc.engine.snapshot()?.phases.map((p) => p.key)).toEqual(["report"]);
  });
});

describe("taskmaster plan with meta-files in buckets", () => {
  async function plan(args: string[], env: Record<string, string>) {
    const dir = workflowDir({ "w.toml": workflow });
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), cwd: dir, env };
    const code = await main(["plan", "--workflow", dir, ...args], { ...io, readStdin: async () => "" });
    const infos = out.map((l) => (JSON.parse(l) as { task: { info: string } }).task.info);
    return { code, infos, err };
  }
  const s3Env = () => ({
    TASKMASTER_CACHE_S3_ENDPOINT: s3.config.endpoint,
    TASKMASTER_CACHE_S3_ACCESS_KEY: s3.config.accessKey,
    TASKMASTER_CACHE_S3_SECRET_KEY: s3.config.secretKey,
    TASKMASTER_CACHE_S3_FORCE_PATH_STYLE: "true",
  });

  it("reads an s3:// meta-file with the service config's bucket settings", async () => {
    const { code, infos, err } = await plan(["--cron", "report", "--at", "2024-03-01T03"], s3Env());
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(infos).toEqual(["?c=c1&d=2024-03-01", "?c=c2&d=2024-03-01"]);
  });

  it("says a gs:// meta-file needs the HMAC key, and which keys those are", async () => {
    const done = JSON.stringify({ type: "extract", info: "", result: "complete", meta: "workflow=w.toml" });
    const { code, infos, err } = await plan(["--done", done], s3Env());
    expect(code).toBe(0);
    expect(infos).toEqual([]);
    expect(err).toContain(
      "alert (batch-failed): children w.toml: per-region of extract failed: gs://meta/regions/*.csv cannot be " +
        "read: gs:// is read through GCS's XML API with an HMAC key: set cache.gcs.access_key and " +
        "cache.gcs.secret_key (TASKMASTER_CACHE_GCS_ACCESS_KEY, TASKMASTER_CACHE_GCS_SECRET_KEY)",
    );
  });
});
