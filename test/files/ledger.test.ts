// The once-only ledger of triggered files in its NATS KV bucket, against a real nats-server of this test file's own:
// read by direct gets and written by the pipelined publisher, and still the KV bucket other tools read and write.
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats, Publisher } from "../../internal/bus/index.ts";
import { type FileLedger, fileKey, kvFileLedger } from "../../internal/files/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";

let server: NatsServer;
let nc: NatsConnection;
let publisher: Publisher;
const ledgers: FileLedger[] = [];

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "ledger-test" });
  publisher = new Publisher(nc);
});

afterAll(async () => {
  for (const ledger of ledgers) ledger.close?.();
  publisher?.close();
  await nc?.close();
  await server?.stop();
});

const day = 86_400_000;
async function open(bucket: string, retentionMs = 7 * day): Promise<FileLedger> {
  const ledger = await kvFileLedger(nc, { bucket, retentionMs, publisher });
  ledgers.push(ledger);
  return ledger;
}
const file = (path: string, size = 10, modified = "2026-03-04T05:06:07.000Z") => ({ path, size, modified });

describe("kvFileLedger", () => {
  it("knows a file once remembered, with when and what it triggered; another size or time is a new file", async () => {
    const ledger = await open("ledger1");
    const a = file("/in/a.csv");
    expect(await ledger.seen(a)).toBeNull();
    await ledger.remember(a, { at: "2026-03-04T05:06:08.000Z", tasks: ["ingest 1234"] });
    expect(await ledger.seen(a)).toEqual({ at: "2026-03-04T05:06:08.000Z", tasks: ["ingest 1234"] });
    expect(await ledger.seen(file("/in/a.csv", 11))).toBeNull();
    expect(await ledger.seen(file("/in/a.csv", 10, "2026-03-04T05:06:09.000Z"))).toBeNull();
  });

  it("remembers and answers for a burst of files at once", async () => {
    const ledger = await open("ledger2");
    const files = Array.from({ length: 500 }, (_, i) => file(`/in/burst-${i}.csv`, i));
    await Promise.all(
      files.filter((_, i) => i % 2 === 0).map((f) => ledger.remember(f, { at: "t", tasks: [f.path] })),
    );
    const seen = await Promise.all(files.map((f) => ledger.seen(f)));
    expect(seen.map((s) => s?.tasks[0] ?? null)).toEqual(files.map((f, i) => (i % 2 === 0 ? f.path : null)));
  });

  it("is the KV bucket others read and write: records written by the KV API count, deleted ones do not", async () => {
    const ledger = await open("ledger3");
    const kv = await new Kvm(nc).open("ledger3");
    const written = file("/in/by-kv.csv");
    await kv.put(fileKey(written), JSON.stringify({ ...written, at: "earlier", tasks: ["t 1"] }));
    expect(await ledger.seen(written)).toEqual({ at: "earlier", tasks: ["t 1"] });
    await kv.delete(fileKey(written));
    expect(await ledger.seen(written)).toBeNull();
    const remembered = file("/in/by-ledger.csv");
    await ledger.remember(remembered, { at: "now", tasks: [] });
    expect((await kv.get(fileKey(remembered)))?.json()).toEqual({ ...remembered, at: "now", tasks: [] });
  });

  it("brings a bucket made with another age limit to the configured retention", async () => {
    await open("ledger4", 2 * day);
    await open("ledger4", 3 * day);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info("KV_ledger4")).config.max_age).toBe(3 * day * 1_000_000);
  });
});
