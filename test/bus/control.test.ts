// The engines' presence and control, against a real nats-server: heartbeats in the instances bucket, gone after
// their TTL once a process stops beating; requests answered by every responder.
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerRequests, connectNats, startHeartbeat } from "../../internal/bus/index.ts";
import { manualClock } from "../../internal/clock/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";

let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "control-test" });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe("startHeartbeat", () => {
  it("writes a beat at once and then every everyMs, and its entry expires after the TTL once it stops", async () => {
    const clock = manualClock();
    let beats = 0;
    const errors: Error[] = [];
    const heartbeat = await startHeartbeat(nc, {
      id: "engine-1",
      bucket: "beats_test",
      ttlMs: 1500,
      everyMs: 5000,
      clock,
      beat: () => ({ id: "engine-1", beats: ++beats }),
      onError: (e) => errors.push(e),
    });
    const kv = await new Kvm(nc).open("beats_test");
    expect((await kv.get("engine-1"))?.json()).toEqual({ id: "engine-1", beats: 1 });
    await clock.advance(5000);
    await waitFor(async () => (await kv.get("engine-1"))?.json<{ beats: number }>().beats === 2, {
      message: "the second beat",
    });
    heartbeat.stop();
    await clock.advance(10_000); // no beat after stop
    expect(beats).toBe(2);
    await waitFor(async () => (await kv.get("engine-1")) === null, {
      timeoutMs: 10_000,
      message: "the entry gone after its TTL",
    });
    expect(errors).toEqual([]);
    expect((await kv.status()).ttl).toBe(1500);
  });
});

describe("answerRequests", () => {
  it("answers each request with its answer as JSON, every responder once, and a failure as { error }", async () => {
    const one = answerRequests(nc, "control.test", async (m) => ({ from: "one", asked: m.string() }));
    const two = answerRequests(nc, "control.test", async () => {
      throw new Error("cannot now");
    });
    await nc.flush();
    const replies: unknown[] = [];
    for await (const m of await nc.requestMany("control.test", "hello", {
      strategy: "count",
      maxWait: 5000,
      maxMessages: 2,
    }))
      replies.push(m.json());
    expect(replies).toEqual(
      expect.arrayContaining([{ from: "one", asked: "hello" }, { error: "cannot now" }]),
    );
    expect(replies).toHaveLength(2);
    one.stop();
    two.stop();
  });
});
