/**
 * A nats-server and a connection for one test file, the way the process tests share them: started before the first
 * test, every stream deleted and each registered cleanup run (last registered first) after each test, and both
 * stopped after the last. `use` hands the server and the connection to the file's own variables once they exist.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import { type NatsServer, startNats } from "./nats.ts";

export function natsPerFile(
  name: string,
  use: (server: NatsServer, nc: NatsConnection) => void,
): { readonly cleanups: (() => Promise<unknown>)[] } {
  const cleanups: (() => Promise<unknown>)[] = [];
  let server: NatsServer | undefined;
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    server = await startNats();
    nc = await connectNats({ url: server.url, name });
    use(server, nc);
  });
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean().catch(() => undefined);
    if (!nc) return;
    const jsm = await jetstreamManager(nc);
    for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });
  return { cleanups };
}
