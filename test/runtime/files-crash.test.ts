// Once-only file triggers across a crash: taskmaster SIGKILLed half way through a stream of new files, restarted,
// and every file triggered exactly once (the ones it had done are remembered, the rest are found by the scan).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesDurable } from "../../cmd/taskmaster/streams.ts";
import { connectNats } from "../../internal/bus/index.ts";
import { parseMeta, parseTask } from "../../internal/task/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { workflowDir } from "./harness.ts";
import { startTaskmaster, type TaskmasterProcess } from "./process.ts";

let server: NatsServer;
let nc: NatsConnection;
const running: TaskmasterProcess[] = [];

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "files-crash-test" });
});

afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) await p.kill("SIGKILL");
  await nc?.close();
  await server?.stop();
});

/** The file of every task stored in the tasks stream, read back by sequence. */
async function storedFiles(): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const { first_seq, last_seq } = (await jsm.streams.info("TASKMASTER_TASKS")).state;
  const files: string[] = [];
  for (let seq = first_seq; seq <= last_seq; seq++) {
    const m = await jsm.streams.getMessage("TASKMASTER_TASKS", { seq });
    if (m) files.push(parseMeta(parseTask(m.data).meta).get("file") ?? "");
  }
  return files;
}

describe("file triggers and a crash", () => {
  it("triggers every file exactly once when taskmaster is SIGKILLed half way and restarted", async () => {
    const root = mkdtempSync(join(tmpdir(), "taskmaster-crash-in-"));
    const dir = workflowDir({
      "in.toml": `[[phase]]\ntask = "ingest"\nrule = "files=${root}/*.csv"\ntemplate = "{meta:file}"\n`,
    });
    const flags = ["--files.settle", "200ms", "--files.scan_interval", "1s"];
    const triggered = (p: TaskmasterProcess) => p.lines.filter((l) => l.msg === "file triggered");
    const total = 400;
    const write = (from: number, to: number) => {
      for (let i = from; i < to; i++)
        writeFileSync(join(root, `f${String(i).padStart(4, "0")}.csv`), `${i}\n`);
    };

    const first = await startTaskmaster(server.url, dir, flags);
    running.push(first);
    // 300 files, one every 10 ms: at the kill the last of them are still being written (a burst written at once
    // could all be triggered before the kill, as the watcher reports each file in a few ms).
    const writing = (async () => {
      for (let i = 0; i < 300; i++) {
        write(i, i + 1);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await first.waitForLine(() => triggered(first).length >= 150, 20_000);
    expect(await first.kill("SIGKILL")).toBeNull();
    expect(triggered(first).length).toBeLessThan(300); // killed half way, not after the fact
    await writing;
    write(300, total); // arriving while it is down

    const second = await startTaskmaster(server.url, dir, flags);
    running.push(second);
    const jsm = await jetstreamManager(nc);
    const stored = async () => (await jsm.streams.info("TASKMASTER_TASKS")).state.messages;
    await waitFor(async () => (await stored()) >= total, { timeoutMs: 30_000, message: `${total} tasks` });
    // Nothing more may come: a scan that began now finds nothing new, and every file message has been worked on.
    const from = Date.now();
    const scan = await second.waitForLine(
      (l) => l.msg === "watched paths scanned" && Date.parse(String(l.started)) >= from,
    );
    expect(scan.new_files).toBe(0);
    await waitFor(
      async () => {
        const consumer = await jsm.consumers.info("TASKMASTER_FILES", filesDurable);
        return consumer.num_pending + consumer.num_ack_pending === 0;
      },
      // What the killed process had taken and not acked comes back once its ack wait (10 s) is over.
      { timeoutMs: 20_000, message: "every file message worked on" },
    );
    const files = await storedFiles();
    expect(files).toHaveLength(total);
    expect(new Set(files).size).toBe(total);
    // The restart triggered only what the first run had not (those were remembered), found by its scan.
    const before = new Set(triggered(first).map((l) => l.path));
    const after = triggered(second);
    expect(after.filter((l) => before.has(l.path))).toEqual([]);
    expect(after.length).toBeGreaterThanOrEqual(total - 300);
    // Found by the startup scan, or noticed by the first run and still in the files stream when it died.
    expect(after.some((l) => l.source === "scan")).toBe(true);
    await second.kill("SIGTERM");
  }, 90_000);

  it("triggers every file of a burst exactly once, many files to a message, across a SIGKILL mid-burst", async () => {
    const jsm = await jetstreamManager(nc);
    // The test before left its tasks and file messages (when it ran): this one counts its own.
    for await (const name of jsm.streams.names())
      if (name === "TASKMASTER_TASKS" || name === "TASKMASTER_FILES") await jsm.streams.purge(name);
    const root = mkdtempSync(join(tmpdir(), "taskmaster-burst-in-"));
    const dir = workflowDir({
      "in.toml": `[[phase]]\ntask = "ingest"\nrule = "files=${root}/*.csv"\ntemplate = "{meta:file}"\n`,
    });
    const flags = ["--files.settle", "100ms", "--files.scan_interval", "1s"];
    const triggered = (p: TaskmasterProcess) => p.lines.filter((l) => l.msg === "file triggered");
    const total = 1000;

    const first = await startTaskmaster(server.url, dir, flags);
    running.push(first);
    for (let i = 0; i < total; i++) writeFileSync(join(root, `b${String(i).padStart(4, "0")}.csv`), `${i}\n`);
    await first.waitForLine(() => triggered(first).length >= 100, 20_000);
    expect(await first.kill("SIGKILL")).toBeNull();
    expect(triggered(first).length).toBeLessThan(total); // killed half way, not after the fact
    // The burst was announced many files to a message (what is stored of it, at least).
    const { first_seq, last_seq } = (await jsm.streams.info("TASKMASTER_FILES")).state;
    let most = 0;
    for (let seq = first_seq; seq <= last_seq; seq++) {
      const announced = await jsm.streams.getMessage("TASKMASTER_FILES", { seq });
      const notice: unknown = JSON.parse(new TextDecoder().decode(announced?.data));
      most = Math.max(most, Array.isArray(notice) ? notice.length : 1);
    }
    expect(most).toBeGreaterThan(1);

    const second = await startTaskmaster(server.url, dir, flags);
    running.push(second);
    const stored = async () => (await jsm.streams.info("TASKMASTER_TASKS")).state.messages;
    await waitFor(async () => (await stored()) >= total, { timeoutMs: 30_000, message: `${total} tasks` });
    // The messages the first process had taken and not acked come back once their ack wait (10 s) is over: each of
    // their files is a repeat by then.
    await waitFor(
      async () => {
        const consumer = await jsm.consumers.info("TASKMASTER_FILES", filesDurable);
        return consumer.num_pending + consumer.num_ack_pending === 0;
      },
      { timeoutMs: 20_000, message: "every file message worked on" },
    );
    const files = await storedFiles();
    expect(files).toHaveLength(total);
    expect(new Set(files).size).toBe(total);
    const before = new Set(triggered(first).map((l) => l.path));
    expect(triggered(second).filter((l) => before.has(l.path))).toEqual([]);
    await second.kill("SIGTERM");
  }, 90_000);
});
