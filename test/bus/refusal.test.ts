// What the publisher gives up on and what it keeps trying, against a real nats-server with its real 1 MiB payload
// limit and an account that may not publish to `denied.>`.
import { DiscardPolicy, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats, ensureStream, Publisher, PublishRefusedError } from "../../internal/bus/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";

const config = `
no_auth_user: tm
accounts: {
  TM: {
    jetstream: enabled
    users: [ { user: tm, password: tm, permissions: { publish: { deny: ["denied.>"] } } } ]
  }
}
`;
const limits = { maxAgeMs: 3_600_000, maxBytes: -1, duplicateWindowMs: 120_000, replicas: 1 };
let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNats({ config });
  nc = await connectNats({ url: server.url, name: "refusal-test" });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const bytes = (n: number) => new Uint8Array(n).fill(120);

/** What became of a publish, without waiting for it. */
function outcome(p: Promise<unknown>) {
  const state: { value?: unknown; error?: Error } = {};
  p.then(
    (v) => (state.value = v),
    (e: Error) => (state.error = e),
  );
  return state;
}

describe("the publisher refuses for good", () => {
  it("a message over the server's max_payload, at once, and says the limit it knows", async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { name: "R1", subjects: ["r1"], description: "test" }, limits);
    const publisher = new Publisher(nc, { ackTimeoutMs: 200 });
    expect(publisher.maxPayload).toBe(1024 * 1024 - 91);
    const fits = await publisher.publish("r1", bytes(publisher.maxPayload), "r1-fits");
    expect(fits).toMatchObject({ stream: "R1", duplicate: false });
    const err = await publisher.publish("r1", bytes(1024 * 1024), "r1-over").catch((e: Error) => e);
    expect(err).toBeInstanceOf(PublishRefusedError);
    expect((err as Error).message).toBe(
      "publish to r1 refused for good: 'payload' max_payload size exceeded",
    );
    expect(publisher.inFlight).toBe(0);
    publisher.close();
  });

  it("a message its stream will never take (over the stream's max_msg_size)", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "R2", subjects: ["r2"], max_msg_size: 1000 });
    const retries: string[] = [];
    const publisher = new Publisher(nc, { ackTimeoutMs: 200, onRetry: (_s, _a, why) => retries.push(why) });
    const err = await publisher.publish("r2", bytes(2000), "r2-big").catch((e: Error) => e);
    expect(err).toBeInstanceOf(PublishRefusedError);
    expect((err as Error).message).toBe(
      "publish to r2 refused for good: the stream answered message size exceeds maximum allowed (400, 10054)",
    );
    expect(retries).toEqual([]);
    expect(publisher.inFlight).toBe(0);
    publisher.close();
  });

  it("a subject the account may not publish to, and still stores what it may", async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { name: "R3", subjects: ["denied.x", "r3"], description: "test" }, limits);
    const publisher = new Publisher(nc, { ackTimeoutMs: 200 });
    const denied = outcome(publisher.publish("denied.x", bytes(10), "r3-denied"));
    const allowed = await publisher.publish("r3", bytes(10), "r3-allowed");
    expect(allowed).toMatchObject({ stream: "R3" });
    await waitFor(() => denied.error !== undefined, { message: "the denied publish refused" });
    expect(denied.error).toBeInstanceOf(PublishRefusedError);
    expect(denied.error?.message).toMatch(/^publish to denied\.x refused for good: Permissions Violation/);
    expect(publisher.inFlight).toBe(0);
    publisher.close();
  });
});

describe("the publisher keeps trying", () => {
  it("a stream that is full for now (it discards new messages), and stores the message once there is room", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "R4", subjects: ["r4"], max_msgs: 1, discard: DiscardPolicy.New });
    const retries: string[] = [];
    const publisher = new Publisher(nc, { ackTimeoutMs: 200, onRetry: (_s, _a, why) => retries.push(why) });
    await publisher.publish("r4", bytes(10), "r4-1");
    const second = outcome(publisher.publish("r4", bytes(10), "r4-2"));
    await waitFor(() => retries.length >= 2, { message: "the publish to a full stream retried" });
    expect(retries[0]).toMatch(/^maximum messages exceeded \(503, 10077\)$/);
    expect(second).toEqual({});
    await jsm.streams.purge("R4");
    await waitFor(() => second.value !== undefined, {
      timeoutMs: 15_000,
      message: "stored once there is room",
    });
    expect(second.value).toMatchObject({ stream: "R4", duplicate: false });
    publisher.close();
  });
});
