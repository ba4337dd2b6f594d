// File triggers against a real nats-server and real files: the files topic in its three formats, garbage, repeats,
// local paths (a slow writer, an atomic rename, a burst of 1 000 files, files that arrived while down), reloads.
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type EngineRole, startEngine } from "../../cmd/taskmaster/engine.ts";
import { planCommand } from "../../cmd/taskmaster/plan.ts";
import { filesDurable } from "../../cmd/taskmaster/streams.ts";
import { connectNats } from "../../internal/bus/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { parseMeta } from "../../internal/task/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { EventLog, LogLines, published, testConfig, workflowDir, writeWorkflows } from "./harness.ts";

let server: NatsServer;
let nc: NatsConnection;
let service: EngineRole | undefined;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "files-test" });
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

const fast = ["--files.settle", "300ms", "--files.scan_interval", "1s"];

async function start(files: Record<string, string>, flags: string[] = []) {
  const dir = workflowDir(files);
  const events = new EngineEvents();
  const log = new EventLog(events);
  service = await startEngine(testConfig(server.url, dir, [...fast, ...flags]), dir, events);
  return { dir, log, svc: service, events };
}

const landing = () => mkdtempSync(join(tmpdir(), "taskmaster-in-"));
const js = () => jetstream(nc);
const send = (data: unknown, id: string) =>
  js().publish("files", typeof data === "string" ? data : JSON.stringify(data), { msgID: id });
const fileOf = (e: { emission: { task: { meta?: string } } }) => parseMeta(e.emission.task.meta).get("file");

/**
 * Waits until what the watcher will ever hand on for the files written so far has been handled: a scan of the
 * watched paths that began after this call finishes (and found nothing new), and the files consumer has worked on
 * every message of the files stream.
 */
async function settled(log: EventLog) {
  const from = Date.now();
  const scan = await log.until("filesScanned", (e) => e.startedAt.getTime() >= from);
  expect(scan.newFiles).toBe(0);
  const jsm = await jetstreamManager(nc);
  await waitFor(
    async () => {
      const consumer = await jsm.consumers.info("TASKMASTER_FILES", filesDurable);
      return consumer.num_pending + consumer.num_ack_pending === 0;
    },
    { message: "every file message worked on" },
  );
}

describe("the files topic", () => {
  const remote = `
[[phase]]
task = "load-gcs"
rule = "files=gs://bucket/in/**/*.json"
template = "?date={yyyy}-{mm}-{dd}&file={meta:file}"

[[phase]]
task = "load-s3"
rule = "files=s3://lake/**/*.csv&job=s3"
template = "{meta:file}"

[[phase]]
task = "load-stat"
rule = "files=/data/*/*.txt"
template = "?name={meta:filename}"
`;

  it("triggers from flowlord's stat JSON, a cloud storage object and an S3 event, each with its task", async () => {
    const { log } = await start({ "remote.toml": remote });
    await send({ path: "/data/a/report.txt", size: 12, created: "2024-05-06T07:08:09Z" }, "m1");
    await send(
      {
        bucket: "bucket",
        name: "in/2024/05/06/x.json",
        size: "33",
        md5Hash: "q==",
        timeCreated: "2024-05-06T08:00:00.5Z",
      },
      "m2",
    );
    await send(
      {
        Records: [
          {
            eventName: "ObjectCreated:Put",
            eventTime: "2024-05-06T09:00:00Z",
            s3: { bucket: { name: "lake" }, object: { key: "deep/er/y+z.csv", size: 5 } },
          },
        ],
      },
      "m3",
    );
    await waitFor(() => log.of("fileArrived").length === 3, { message: "three arrivals" });
    // The time for the template comes from the path (flowlord's rules: here YYYY/MM/DD).
    const infos = Object.fromEntries(
      log.of("taskPublished").map((e) => [e.emission.task.type, e.emission.task.info]),
    );
    expect(infos).toEqual({
      "load-stat": "?name=report.txt",
      "load-gcs": "?date=2024-05-06&file=gs://bucket/in/2024/05/06/x.json",
      "load-s3": "s3://lake/deep/er/y z.csv",
    });
    const s3 = log.of("taskPublished").find((e) => e.emission.task.type === "load-s3");
    expect(s3?.emission.task.job).toBe("s3");
    expect(parseMeta(s3?.emission.task.meta).get("workflow")).toBe("remote.toml");
    const arrivals = log.of("fileArrived");
    expect(arrivals.map((a) => [a.file.path, a.file.format, a.status, a.tasks.length]).sort()).toEqual([
      ["/data/a/report.txt", "stat", "triggered", 1],
      ["gs://bucket/in/2024/05/06/x.json", "gcs", "triggered", 1],
      ["s3://lake/deep/er/y z.csv", "s3", "triggered", 1],
    ]);
  });

  it("rejects garbage with its reason and goes on with the next message", async () => {
    const { log } = await start({ "remote.toml": remote });
    await send("this is not json", "bad1");
    await send({ hello: "world" }, "bad2");
    await send({ path: "/data/b/ok.txt" }, "good");
    await log.until("fileArrived", (e) => e.file.path === "/data/b/ok.txt");
    const rejected = log.of("messageRejected").map((e) => [e.subject, e.reason.split(":")[0], e.data]);
    expect(rejected).toEqual([
      ["files", "not valid JSON", "this is not json"],
      ["files", "no file in it", '{"hello":"world"}'],
    ]);
    expect(published(log, "load-stat")).toHaveLength(1);
  });

  it("triggers a file once: the same file announced again is a repeat, a changed one is new", async () => {
    const { log } = await start({ "remote.toml": remote });
    const stat = { path: "/data/c/r.txt", size: 10, created: "2024-05-06T07:08:09Z" };
    await send(stat, "first");
    await send(stat, "again"); // another message id: the stream stores it, the ledger knows the file
    await send({ ...stat, size: 11 }, "changed");
    await waitFor(() => log.of("fileArrived").length === 3);
    // Messages are worked on concurrently: the order between different files is not fixed, within one file it is.
    const statuses = (size: number) =>
      log
        .of("fileArrived")
        .filter((e) => e.file.size === size)
        .map((e) => e.status);
    expect(statuses(10)).toEqual(["triggered", "repeat"]);
    expect(statuses(11)).toEqual(["triggered"]);
    expect(published(log, "load-stat")).toHaveLength(2);
  });

  it("refuses a path that climbs out with .. or is relative, with the reason in the log, and triggers nothing", async () => {
    const csv = `
[[phase]]
task = "load-csv"
rule = "files=/data/**/*.csv"

[[phase]]
task = "load-relative"
rule = "files=data/**/*.csv"
`;
    // Nothing local is watched here: only the files topic is under test.
    const { log, events } = await start({ "csv.toml": csv }, ["--files.watch", "false"]);
    const logged = new LogLines(events);
    await send({ path: "/data/../../etc/shadow.csv", size: 1 }, "climb");
    await send({ path: "data/in/x.csv", size: 1 }, "relative");
    await send({ path: "/data//in/./ok.csv", size: 1 }, "good");
    await waitFor(() => log.of("messageRejected").length + log.of("fileArrived").length === 3, {
      message: "three messages handled",
    });
    logged.stop();
    const rejected = log.of("messageRejected").map((e) => [e.subject, e.reason]);
    expect(rejected).toEqual([
      [
        "files",
        'path: /data/../../etc/shadow.csv has a ".." segment: a file\'s path must not climb out of a folder',
      ],
      [
        "files",
        "path: data/in/x.csv is relative: a file's path must be absolute (/data/in/a.csv) or name its store (gs://bucket/a.csv)",
      ],
    ]);
    expect(logged.withMessage("message rejected").map((l) => l.reason)).toEqual(
      rejected.map(([, reason]) => reason),
    );
    expect(log.of("taskPublished").map((e) => [e.emission.task.type, fileOf(e)])).toEqual([
      ["load-csv", "/data/in/ok.csv"],
    ]);
  });

  it("reports a file no rule matches, with the reason", async () => {
    const { log } = await start({ "remote.toml": remote });
    await send({ path: "gs://other/file.json" }, "nomatch");
    const arrival = await log.until("fileArrived");
    expect(arrival.status).toBe("unmatched");
    expect(arrival.reason).toBe('no match found for "gs://other/file.json"');
  });
});

describe("watched local paths", () => {
  const local = (root: string) => `
[[phase]]
task = "ingest"
rule = "files=${root}/*.csv"
template = "?file={meta:file}&day={yyyy}{mm}{dd}"
`;

  it("triggers a slowly written file once, after its last byte", async () => {
    const root = landing();
    const { log } = await start({ "local.toml": local(root) });
    await waitFor(() => service?.state().ready === true);
    const path = join(root, "slow-2024-01-02.csv");
    writeFileSync(path, "a");
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 120));
      appendFileSync(path, "b");
    }
    const arrival = await log.until("fileArrived", (e) => e.file.path === path);
    expect(arrival.file.size).toBe(9);
    expect(arrival.file.source).toBe("watch");
    await settled(log);
    expect(log.of("fileArrived")).toHaveLength(1);
    const [task] = published(log, "ingest");
    expect(task?.emission.task.info).toBe(`?file=${path}&day=20240102`);
  });

  it("gives the same task as `taskmaster plan --file` for the same file", async () => {
    const root = landing();
    const { dir, log } = await start({ "local.toml": local(root) });
    const path = join(root, "plan-2024-03-04.csv");
    writeFileSync(path, "1,2\n");
    await log.until("fileArrived");
    const lines: string[] = [];
    const io = {
      out: (l: string) => lines.push(l),
      err: () => {},
      cwd: dir,
      env: {},
      readStdin: async () => "",
    };
    expect(await planCommand(["--workflow", dir, "--file", path], io)).toBe(0);
    const planned = JSON.parse(lines[0] ?? "{}") as { topic: string; task: Record<string, string> };
    const [runtime] = published(log, "ingest");
    const strip = ({ id: _i, created: _c, ...rest }: Record<string, unknown>) => rest;
    expect(planned.topic).toBe("ingest");
    expect(strip(planned.task)).toEqual(strip({ ...runtime?.emission.task }));
    expect(runtime?.emission.task.info).toBe(`?file=${path}&day=20240304`);
  });

  it("triggers an atomic write (temp file renamed in) once, and never the temp file", async () => {
    const root = landing();
    const { log } = await start({ "local.toml": local(root) });
    const temp = join(root, ".part-1.csv.tmp");
    writeFileSync(temp, "x,y\n1,2\n");
    renameSync(temp, join(root, "part-1.csv"));
    await log.until("fileArrived");
    await settled(log);
    expect(log.of("fileArrived").map((e) => e.file.path)).toEqual([join(root, "part-1.csv")]);
  });

  it("triggers 1 000 files created within a few seconds: 1 000 tasks, one per file", async () => {
    const root = landing();
    const { log } = await start({ "local.toml": local(root) });
    for (let i = 0; i < 1000; i++) writeFileSync(join(root, `f${i}.csv`), `row ${i}\n`);
    await waitFor(() => published(log, "ingest").length >= 1000, { timeoutMs: 30_000 });
    await settled(log); // scans find them all again: still one task per file
    const files = published(log, "ingest").map(fileOf);
    expect(files).toHaveLength(1000);
    expect(new Set(files).size).toBe(1000);
  }, 45_000);

  it("after a restart triggers files that arrived while down, within the look-back, and not the others", async () => {
    const root = landing();
    const first = await start({ "local.toml": local(root) });
    writeFileSync(join(root, "before.csv"), "1");
    await first.log.until("fileArrived");
    await first.svc.stop();
    writeFileSync(join(root, "while-down.csv"), "2");
    writeFileSync(join(root, "too-old.csv"), "3");
    const twoDaysAgo = new Date(Date.now() - 48 * 3_600_000);
    utimesSync(join(root, "too-old.csv"), twoDaysAgo, twoDaysAgo);
    const events = new EngineEvents();
    const log = new EventLog(events);
    service = await startEngine(testConfig(server.url, first.dir, fast), first.dir, events);
    await log.until("fileArrived", (e) => e.file.path.endsWith("while-down.csv"));
    await settled(log);
    expect(log.of("fileArrived").map((e) => [e.file.path, e.file.source, e.status])).toEqual([
      [join(root, "while-down.csv"), "scan", "triggered"],
    ]);
  });

  it("a reload that removes a rule stops it firing, and a rule is never doubled", async () => {
    const root = landing();
    const two = `${local(root)}
[[phase]]
task = "archive"
rule = "files=${root}/*.csv"
`;
    const { dir, log, svc } = await start({ "local.toml": two });
    writeFileSync(join(root, "one.csv"), "1");
    await waitFor(() => published(log, "archive").length === 1 && published(log, "ingest").length === 1);
    writeWorkflows(dir, { "local.toml": local(root) });
    await svc.reload();
    await log.until("workflowsReloaded");
    writeFileSync(join(root, "two.csv"), "2");
    await log.until("fileArrived", (e) => e.file.path.endsWith("two.csv"));
    expect(published(log, "ingest").map(fileOf)).toEqual([join(root, "one.csv"), join(root, "two.csv")]);
    expect(published(log, "archive").map(fileOf)).toEqual([join(root, "one.csv")]);
  });

  it("reports a watched path that does not exist, and picks it up once it does", async () => {
    const parent = landing();
    const root = join(parent, "later");
    const { log } = await start({ "local.toml": local(root) });
    const problem = await log.until("fileWatchProblem");
    expect(problem.dir).toBe(root);
    expect(problem.message).toContain(root);
    mkdirSync(root);
    writeFileSync(join(root, "late.csv"), "1");
    const arrival = await log.until("fileArrived", () => true, 15_000);
    expect(arrival.file.path).toBe(join(root, "late.csv"));
  });
});
