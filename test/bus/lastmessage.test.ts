// Reading the last message of a subject (a JetStream direct get, as a KV get is), many at once, against a real
// nats-server of this test file's own.
import { Kvm } from "@nats-io/kv";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectNats,
  LastMessageError,
  LastMessageReader,
  LastMessageTimeoutError,
} from "../../internal/bus/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";

let server: NatsServer;
let nc: NatsConnection;
const readers: LastMessageReader[] = [];

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "lastmessage-test" });
});

afterAll(async () => {
  for (const reader of readers) reader.close();
  await nc?.close();
  await server?.stop();
});

const text = new TextDecoder();
const reader = (timeoutMs?: number) => {
  const r = new LastMessageReader(nc, timeoutMs === undefined ? {} : { timeoutMs });
  readers.push(r);
  return r;
};

describe("LastMessageReader", () => {
  it("reads the last value of KV keys, many at once, and null for a key never written", async () => {
    const kv = await new Kvm(nc).create("lm1", { history: 1 });
    for (let i = 0; i < 300; i++) await kv.put(`k${i}`, `first ${i}`);
    for (let i = 0; i < 300; i += 3) await kv.put(`k${i}`, `second ${i}`);
    const r = reader();
    const keys = [...Array.from({ length: 300 }, (_, i) => `k${i}`), "never"];
    const found = await Promise.all(keys.map((key) => r.get("KV_lm1", `$KV.lm1.${key}`)));
    const values = found.map((m) => (m === null ? null : text.decode(m.data)));
    expect(values).toEqual([
      ...Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `second ${i}` : `first ${i}`)),
      null,
    ]);
  });

  it("gives a deleted key's marker, with its KV-Operation header", async () => {
    const kv = await new Kvm(nc).create("lm2", { history: 1 });
    await kv.put("gone", "x");
    await kv.delete("gone");
    const marker = await reader().get("KV_lm2", "$KV.lm2.gone");
    expect(marker?.headers?.get("KV-Operation")).toBe("DEL");
  });

  it("rejects an error status with the stream's reason, and a read no answer comes to in time", async () => {
    // A stand-in stream that answers every read with a 408, as a server does to a read it cannot serve.
    const failing = nc.subscribe("$JS.API.DIRECT.GET.FAILING.>", {
      callback: (_e, m) => {
        m.respond(undefined, { headers: headers(408, "Bad Request") });
      },
    });
    await nc.flush();
    const refused = reader().get("FAILING", "f.a");
    await expect(refused).rejects.toBeInstanceOf(LastMessageError);
    await expect(refused).rejects.toThrow(
      "stream FAILING answered 408 Bad Request for the last message of f.a",
    );
    failing.unsubscribe();
    // A stream that does not exist: nothing answers.
    const started = Date.now();
    await expect(reader(300).get("NO_SUCH_STREAM", "x.y")).rejects.toBeInstanceOf(LastMessageTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("rejects what is waiting when it is closed, and every later read", async () => {
    const sink = nc.subscribe("$JS.API.DIRECT.GET.CLOSING.>");
    const r = reader();
    const waiting = r.get("CLOSING", "c.a");
    await nc.flush();
    r.close();
    await expect(waiting).rejects.toThrow("closed before the answer");
    await expect(r.get("CLOSING", "c.b")).rejects.toThrow("is closed");
    sink.unsubscribe();
  });
});
