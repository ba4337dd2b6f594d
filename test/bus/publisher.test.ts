// The pipelined JetStream publisher and the stream set-up, against a real nats-server of this test file's own.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats, ensureConsumer, ensureStream, msgIdOf, Publisher } from "../../internal/bus/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";

const limits = { maxAgeMs: 3_600_000, maxBytes: -1, duplicateWindowMs: 120_000, replicas: 1 };
let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "publisher-test" });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const data = (i: number) => new TextEncoder().encode(JSON.stringify({ type: "t", info: `?i=${i}` }));

async function count(stream: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(stream)).state.messages;
}

describe("Publisher", () => {
  it("stores many pipelined messages once each, and reports repeats as duplicates", async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { name: "P1", subjects: ["p1.>"], description: "test" }, limits);
    const publisher = new Publisher(nc);
    const acks = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => publisher.publish("p1.a", data(i), `id-${i}`)),
    );
    expect(new Set(acks.map((a) => a.seq)).size).toBe(2000);
    expect(acks.every((a) => !a.duplicate && a.stream === "P1")).toBe(true);
    const again = await Promise.all([0, 1, 2].map((i) => publisher.publish("p1.a", data(i), `id-${i}`)));
    expect(again.map((a) => a.duplicate)).toEqual([true, true, true]);
    expect(await count("P1")).toBe(2000);
    expect(publisher.inFlight).toBe(0);
    publisher.close();
  });

  it("takes an ack only for the message it was sent for, when a late ack comes after its slot was reused", async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { name: "P5", subjects: ["p5"], description: "test" }, limits);
    const replies: string[] = [];
    const sub = nc.subscribe("p5", {
      callback: (_e, m) => {
        replies.push(m.reply ?? "");
      },
    });
    // No stream takes p5-nostream: the test answers for one, and so learns where the publisher expects its ack.
    const waiting: string[] = [];
    const sub2 = nc.subscribe("p5-nostream", {
      callback: (_e, m) => {
        waiting.push(m.reply ?? "");
      },
    });
    await nc.flush(); // the subscriptions are in place before the publishes
    const publisher = new Publisher(nc, { ackTimeoutMs: 60_000 });
    const first = await publisher.publish("p5", data(1), "p5-1");
    expect(first).toMatchObject({ stream: "P5", seq: 1 });
    // The stream's ack and the subscriber's copy travel separately: the ack may come first.
    await waitFor(() => replies.length === 1, { message: "the subscriber saw the first message" });
    // The first message's slot is free again: the next message (which no stream takes, so it waits) gets it.
    let second: { seq: number } | Error | undefined;
    publisher.publish("p5-nostream", data(2), "p5-2").then(
      (ack) => (second = ack),
      (err: Error) => (second = err),
    );
    expect(publisher.inFlight).toBe(1);
    await waitFor(() => waiting.length === 1, { message: "the waiting message sent" });
    // A second ack for the first message (as from a resend) must not be taken as the waiting message's. The
    // waiting message's own ack follows it on the same inbox: once that one is taken, the other has been seen.
    nc.publish(replies[0] ?? "", JSON.stringify({ stream: "P5", seq: 99 }));
    nc.publish(waiting[0] ?? "", JSON.stringify({ stream: "P5", seq: 2 }));
    await waitFor(() => second !== undefined, { message: "the waiting message acked" });
    expect(second).toEqual({ stream: "P5", seq: 2, duplicate: false });
    expect(publisher.inFlight).toBe(0);

    // A publish still waiting when the publisher closes is rejected.
    let third: { seq: number } | Error | undefined;
    publisher.publish("p5-nostream", data(3), "p5-3").then(
      (ack) => (third = ack),
      (err: Error) => (third = err),
    );
    await waitFor(() => waiting.length === 2, { message: "the third message sent" });
    publisher.close();
    await waitFor(() => third instanceof Error, { message: "the waiting publish rejected on close" });
    expect(publisher.inFlight).toBe(0);
    sub.unsubscribe();
    sub2.unsubscribe();
  });

  it("keeps trying a subject no stream takes, until a stream takes it", async () => {
    const retries: string[] = [];
    const publisher = new Publisher(nc, {
      ackTimeoutMs: 300,
      onRetry: (_s, _a, reason) => retries.push(reason),
    });
    const pending = publisher.publish("p2.x", data(1), "p2-1");
    await waitFor(() => retries.length >= 2, { message: "publisher retried" });
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { name: "P2", subjects: ["p2.x"], description: "test" }, limits);
    const ack = await pending;
    expect(ack).toMatchObject({ stream: "P2", duplicate: false });
    expect(retries).toContain("no stream answered");
    publisher.close();
  });

  it("loses nothing and stores nothing twice when nats-server is killed mid-publish", async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { name: "P3", subjects: ["p3"], description: "test" }, limits);
    const publisher = new Publisher(nc, { ackTimeoutMs: 500 });
    const total = 3000;
    const all = Array.from({ length: total }, (_, i) => publisher.publish("p3", data(i), msgIdOf(`p3|${i}`)));
    await server.kill();
    server = await server.restart();
    const acks = await Promise.all(all);
    expect(acks).toHaveLength(total);
    await waitFor(async () => (await count("P3").catch(() => -1)) === total, { timeoutMs: 10_000 });
    expect(await count("P3")).toBe(total);
    publisher.close();
  }, 30_000);

  it("sends the headers it is given beside the Nats-Msg-Id, and refuses a value with a line break", async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { name: "PH", subjects: ["ph"], description: "test" }, limits);
    const publisher = new Publisher(nc);
    const headers = { "Taskmaster-Kind": "child", "Taskmaster-Phase": "load:eu" };
    const ack = await publisher.publish("ph", data(1), "h-1", headers);
    const stored = await jsm.streams.getMessage("PH", { seq: ack.seq });
    expect(
      ["Nats-Msg-Id", "Taskmaster-Kind", "Taskmaster-Phase"].map((name) => stored?.header.get(name)),
    ).toEqual(["h-1", "child", "load:eu"]);
    await expect(publisher.publish("ph", data(2), "h-2", { "Taskmaster-Phase": "a\nb" })).rejects.toThrow(
      /^publish to ph refused for good: header Taskmaster-Phase: a value cannot hold a line break$/,
    );
    expect(await count("PH")).toBe(1);
    publisher.close();
  });

  it("rejects what is still waiting when closed", async () => {
    const publisher = new Publisher(nc, { ackTimeoutMs: 200 });
    const pending = publisher.publish("nobody.listens", data(1), "x");
    publisher.close();
    await expect(pending).rejects.toThrow("the publisher closed before the ack");
    await expect(publisher.publish("a", data(1), "y")).rejects.toThrow("the publisher is closed");
  });
});

describe("ensureStream and ensureConsumer", () => {
  it("creates a stream that refuses new messages when full, then only adds missing subjects", async () => {
    const jsm = await jetstreamManager(nc);
    expect(await ensureStream(jsm, { name: "S1", subjects: ["s1.a"], description: "d" }, limits)).toBe(
      "created",
    );
    const created = await jsm.streams.info("S1");
    expect(created.config).toMatchObject({ discard: "new", retention: "limits", subjects: ["s1.a"] });
    // An operator changes the age limit; taskmaster must not put it back.
    await jsm.streams.update("S1", { ...created.config, max_age: 7_200_000_000_000 });
    expect(
      await ensureStream(jsm, { name: "S1", subjects: ["s1.a", "s1.b"], description: "d" }, limits),
    ).toBe("updated");
    const updated = await jsm.streams.info("S1");
    expect(updated.config.subjects).toEqual(["s1.a", "s1.b"]);
    expect(updated.config.max_age).toBe(7_200_000_000_000);
    expect(await ensureStream(jsm, { name: "S1", subjects: ["s1.b"], description: "d" }, limits)).toBe(
      "unchanged",
    );
  });

  it("creates a durable explicit-ack consumer once and leaves an existing one alone", async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { name: "S2", subjects: ["s2"], description: "d" }, limits);
    const spec = { stream: "S2", durable: "c", filterSubject: "s2", ackWaitMs: 30_000, maxAckPending: -1 };
    expect(await ensureConsumer(jsm, spec)).toBe("created");
    expect(await ensureConsumer(jsm, { ...spec, ackWaitMs: 1000, maxAckPending: 512 })).toBe("unchanged");
    const info = await jsm.consumers.info("S2", "c");
    expect(info.config).toMatchObject({ ack_policy: "explicit", ack_wait: 30_000_000_000 });
    expect(info.config.max_ack_pending).toBe(-1);
  });
});
