/**
 * A steady load for `make bench`'s latency step: done messages offered at a fixed rate in 10 ms slices, each carrying
 * the time it was sent, and the latency of each to the message it causes, seen by a subscriber.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { Publisher } from "../../internal/bus/index.ts";

export interface SteadyLoad {
  readonly nc: NatsConnection;
  readonly publisher: Publisher;
  /** Messages a second. */
  readonly rate: number;
  /** Seconds offered first and not measured: the step before leaves a burst behind it. */
  readonly warmSeconds: number;
  /** Seconds measured. */
  readonly seconds: number;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * Offers `load.rate` messages a second to `subject` (`make(i, sentAt)` gives the i-th), and returns the latencies, in
 * ms, of those sent after the warm-up, from their sending to what `listen` receives for them (`sentOf` reads the
 * sending time back from it). Message ids are `prefix-i`.
 */
export async function offerLoad(
  load: SteadyLoad,
  subject: string,
  make: (i: number, sentAt: number) => Uint8Array,
  listen: string,
  sentOf: (data: Uint8Array) => number,
  prefix: string,
): Promise<number[]> {
  const latencies: number[] = [];
  const total = load.rate * (load.warmSeconds + load.seconds);
  const start = now();
  const measureFrom = start + load.warmSeconds * 1000;
  let seen = 0;
  const sub = load.nc.subscribe(listen, {
    callback: (_e, m) => {
      seen++;
      const sent = sentOf(m.data);
      if (sent >= measureFrom) latencies.push(now() - sent);
    },
  });
  const perSlice = load.rate / 100;
  for (let slice = 0; slice * perSlice < total; slice++) {
    const wait = start + slice * 10 - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (let k = 0; k < perSlice; k++) {
      const i = slice * perSlice + k;
      void load.publisher.publish(subject, make(i, now()), `${prefix}-${i}`);
    }
  }
  while (seen < total) await new Promise((r) => setTimeout(r, 50));
  sub.unsubscribe();
  return latencies;
}
