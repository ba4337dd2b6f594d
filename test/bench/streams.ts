/**
 * What `make bench` puts on the streams and how it counts what comes out: the fan-out workflow's done messages (a
 * child's, a root's), stored in bulk with message ids, and the streams' message counts awaited.
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import type { Publisher } from "../../internal/bus/index.ts";
import { taskJson } from "../../internal/task/index.ts";

const encoder = new TextEncoder();
const now = () => performance.timeOrigin + performance.now();

/** The done message of the fan-out workflow's `i`-th child, carrying the time it was `sent`. */
export function childDone(i: number, sent = 0): Uint8Array {
  const meta = `i=${i % 100}&sent=${sent}&workflow=fanout.toml`;
  const task = {
    type: "child",
    info: "",
    id: `c${i}`,
    created: "2024-01-15T00:00:00Z",
    result: "complete",
    meta,
  } as const;
  return encoder.encode(taskJson(task));
}

/** The helpers on `jsm`'s streams, publishing through `publisher`. */
export function benchStreams(jsm: JetStreamManager, publisher: Publisher) {
  async function count(stream: string): Promise<number> {
    return (await jsm.streams.info(stream)).state.messages;
  }

  /** Seconds from the first to the `total`-th message stored in `stream`, which was empty (`emptyStreams`). */
  async function timeStores(stream: string, total: number): Promise<number> {
    let first = 0;
    for (;;) {
      const n = await count(stream);
      if (n > 0 && first === 0) first = now();
      if (n >= total) return (now() - first) / 1000;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Purges streams before a measured run, so that each run, the relay's and taskmaster's, starts on empty streams: a
   * run after others found 60 000 to 220 000 messages in them (taskmaster's runs more than the relay's).
   */
  async function emptyStreams(...streams: string[]): Promise<void> {
    for (const stream of streams) await jsm.streams.purge(stream);
  }

  async function untilStored(stream: string, base: number, total: number): Promise<void> {
    while ((await count(stream)) - base < total) await new Promise((r) => setTimeout(r, 20));
  }

  /** Done messages of `n` completed roots of the fan-out workflow. */
  async function publishRoots(n: number, prefix: string): Promise<void> {
    await Promise.all(
      Array.from({ length: n }, (_, r) => {
        const root = {
          type: "root",
          info: "",
          id: `${prefix}${r}`,
          created: "2024-01-15T00:00:00Z",
          result: "complete",
        } as const;
        const data = encoder.encode(taskJson({ ...root, meta: "workflow=fanout.toml" }));
        return publisher.publish("done", data, `${prefix}-${r}`);
      }),
    );
  }

  async function preload(subject: string, make: (i: number) => Uint8Array, total: number, prefix: string) {
    for (let i = 0; i < total; i += 5000) {
      const batch = Array.from({ length: Math.min(5000, total - i) }, (_, k) =>
        publisher.publish(subject, make(i + k), `${prefix}-${i + k}`),
      );
      await Promise.all(batch);
    }
  }

  return { count, timeStores, emptyStreams, untilStored, publishRoots, preload };
}
