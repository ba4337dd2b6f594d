// The history rebuilding a lost file from streams of large messages, against a real nats-server: the replay must never ask for
// more than the server holds back for one client (its `max_pending`, 64 MB by default), or the server cuts the
// connection as a slow consumer and the history comes back incomplete.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEngine } from "../../cmd/taskmaster/engine.ts";
import { connectNats } from "../../internal/bus/index.ts";
import { counts } from "../../internal/cache/index.ts";
import { taskJson } from "../../internal/task/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { historyHolds, startHistory, type TestHistory } from "./both.ts";
import { testConfig, workflowDir } from "./harness.ts";

let server: NatsServer;
let nc: NatsConnection;
let history: TestHistory | undefined;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "cache-rebuild-test" });
});

afterAll(async () => {
  await history?.stop();
  await nc?.close();
  await server?.stop();
});

const workflow = `
[[phase]]
task = "big"
rule = "cron=0 0 0 1 1 *"
`;

// About 80 MB: past the 64 MB a server keeps for a client that reads more slowly than it is sent to, with room for
// what the sockets hold. With one pull of 1 000 messages the server cut the connection after a dozen of them.
const messages = 80;
// Just under nats-server's default max_payload of 1 MB, with room for the rest of the task.
const infoBytes = 1_000_000;

it("rebuilds every task of a stream of 1 MB messages without the server cutting the connection", async () => {
  const dir = workflowDir({ "big.toml": workflow });
  const config = testConfig(server.url, dir);
  await (await startEngine(config, dir)).stop(); // the streams made
  const js = jetstream(nc);
  const stream = await (await jetstreamManager(nc)).streams.info("TASKMASTER_TASKS");
  const subject = stream.config.subjects?.[0] ?? "big";
  const info = "x".repeat(infoBytes);
  const created = `${new Date().toISOString().slice(0, 19)}Z`;
  for (let i = 0; i < messages; i++) {
    await js.publish(subject, taskJson({ type: "big", id: `t${i}`, info, created }), { msgID: `big-${i}` });
  }
  rmSync(join(dir, "taskmaster.db"), { force: true });

  history = await startHistory(config, dir);
  await historyHolds(nc, config, dir, 90_000);
  const db = new BetterSqlite3(join(dir, "taskmaster.db"), { readonly: true });
  expect(counts(db).tasks).toBe(messages);
  db.close();
  expect(history.logged(/^history rebuilt from the streams$/)).toEqual([
    expect.objectContaining({ messages: expect.any(Number) }),
  ]);
  expect(history.logged(/^nats /)).toEqual([]);
}, 150_000);
