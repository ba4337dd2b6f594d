/**
 * A done message whose publish meets a server outage is kept and retried until the restarted server stores it,
 * once; and the test launcher itself: its own port, a restart on the same port and store, dirs removed on stop.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startWorker } from "../../internal/worker/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { createDoneStream, doneStream, eventRecorder, newTask, publishTask, uniqueSubjects } from "./done.ts";

let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNats();
  // A service's settings (facts.md): never give up reconnecting; here also retry quickly, to keep the test short.
  nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

it("starts its own server on a port of its choosing, never the machine's 4222", () => {
  expect(server.port).not.toBe(4222);
  expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
  expect(existsSync(server.storeDir)).toBe(true);
});

it("delivers a done message published during an outage once the server is back", async () => {
  const s = uniqueSubjects("outage");
  await createDoneStream(nc, s.stream, s.done);
  const events = eventRecorder();
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const worker = startWorker(nc, {
    topic: s.topic,
    doneSubject: s.done,
    onEvent: events.record,
    publishTimeoutMs: 1_000,
    handler: async () => {
      await held;
      return { result: "complete", msg: "made it" };
    },
  });
  try {
    publishTask(nc, s.topic, newTask(s.topic));
    await waitFor(() => events.count("started") === 1, { message: "task started" });

    await server.kill();
    release();
    await waitFor(() => events.count("publishFailed") >= 1, {
      timeoutMs: 10_000,
      message: "a failed publish",
    });
    const oldPid = server.pid;
    server = await server.restart();
    expect(server.pid).not.toBe(oldPid);

    await waitFor(() => events.count("published") === 1, {
      timeoutMs: 15_000,
      message: "published after restart",
    });
    // The stream came back from the store dir, with the done message in it once.
    expect(await doneStream(nc, s.stream).tasks()).toMatchObject([{ result: "complete", msg: "made it" }]);
    expect(events.count("publishAbandoned")).toBe(0);
  } finally {
    await worker.stop();
  }
}, 30_000);

it("removes its temp dirs on stop", async () => {
  const other = await startNats();
  const dir = dirname(other.storeDir);
  expect(existsSync(dir)).toBe(true);
  await other.stop();
  expect(existsSync(dir)).toBe(false);
  await expect(connect({ servers: other.url, reconnect: false, timeout: 500 })).rejects.toThrow();
});
