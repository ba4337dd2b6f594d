/**
 * Exactly once across crashes: a follower in a process of its own is killed with SIGKILL at random moments of a
 * burst and started again on the same file; then the history holds every task and done message the streams hold,
 * once, counted both ways.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { connectNats, Publisher } from "../../internal/bus/index.ts";
import { startFollower } from "../../internal/cache/index.ts";
import {
  type HistoryStreams,
  historyStreams,
  pipelined,
  publishAction,
  publishDone,
  publishEntry,
  publishTask,
} from "../helpers/history.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { tempDir } from "../helpers/records.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));
let server: NatsServer;
let nc: NatsConnection;
let publisher: Publisher;
const removes: (() => void)[] = [];

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "follow-kill-test" });
  publisher = new Publisher(nc);
});

afterAll(async () => {
  publisher?.close();
  await nc?.close();
  await server?.stop();
  for (const remove of removes) remove();
});

/** Starts the follower process; resolves once it is following. */
function startChild(h: HistoryStreams, path: string): Promise<ChildProcess> {
  const { tasks, done, events, audit, failed } = h.streams;
  const args = [
    "--import",
    "tsx",
    "test/cache/followchild.ts",
    server.url,
    path,
    tasks,
    done,
    events,
    audit,
    failed,
  ];
  const child = spawn(process.execPath, args, { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (c: Buffer) => {
      if (c.toString().includes("following")) resolve(child);
    });
    child.once("exit", (code, signal) => reject(new Error(`the follower exited ${code ?? signal}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** Every Nats-Msg-Id the stream holds. */
async function msgIds(stream: string): Promise<string[]> {
  const consumer = await jetstream(nc).consumers.get(stream);
  const info = await (await jetstreamManager(nc)).streams.info(stream);
  const ids: string[] = [];
  if (info.state.messages === 0) return ids;
  for await (const m of await consumer.consume({ max_messages: 1000 })) {
    ids.push(m.headers?.get("Nats-Msg-Id") ?? "");
    if (m.seq >= info.state.last_seq) break;
  }
  return ids;
}

it("holds every task and done exactly once after SIGKILLs at random moments of a burst", async () => {
  const h = await historyStreams(await jetstreamManager(nc), "KILL");
  const { dir, remove } = tempDir();
  removes.push(remove);
  const path = join(dir, "history.db");
  const n = 6000;
  const at = new Date("2024-01-15T04:00:00.000Z");
  const burst = pipelined(
    n,
    async (i) => {
      await publishTask(publisher, h, i);
      await publishDone(publisher, h, i);
      if (i % 20 === 0) {
        const task = { id: `id-${i}`, type: "load", job: "eu", info: "", meta: "", dataTime: "" };
        await publishEntry(publisher, h, { type: "alert", kind: "k", task, message: `m${i}` }, at, `a${i}`);
        await publishAction(publisher, h, i, at.toISOString());
      }
    },
    100,
  );
  for (let round = 0; round < 4; round++) {
    const child = await startChild(h, path);
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
    await kill(child);
  }
  await burst;

  const follower = await startFollower({ nc, path, streams: h.streams, retentionMs: 0 });
  try {
    await follower.caughtUp();
    const db = follower.database();
    if (!db) throw new Error("the history has no file open");
    const keys = (db.prepare("SELECT key FROM tasks").all() as { key: string }[]).map((r) => r.key);
    const stored = await msgIds(h.streams.tasks);
    expect(stored.length).toBe(n);
    expect(new Set(keys)).toEqual(new Set(stored));
    expect(keys.length).toBe(n);
    const unfinished = db.prepare("SELECT count(*) AS n FROM tasks WHERE result = '' OR done IS NULL").get();
    expect(unfinished).toEqual({ n: 0 });
    const count = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect({ alerts: count("alerts"), actions: count("actions") }).toEqual({
      alerts: n / 20,
      actions: n / 20,
    });
    expect(follower.state().positions).toEqual({
      [h.streams.tasks]: n,
      [h.streams.failed]: 0,
      [h.streams.done]: n,
      [h.streams.events]: n / 20,
      [h.streams.audit]: n / 20,
    });
  } finally {
    await follower.stop();
  }
}, 60_000);
