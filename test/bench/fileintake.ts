/**
 * The file intake of `make bench` (step 4) and of `test/bench/files.ts`: files written into a watched folder, each
 * timed from its write to the message it caused arriving at a subscriber. A burst first (files a second), then a
 * steady 200 a second (latency).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";

export const burstFiles = 2000;
export const steadyFiles = 1000;
/** The steady load: a file every 5 ms. */
const steadyEveryMs = 5;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FileRun {
  /** Files a second from the first write of the burst to the last message. */
  readonly burstRate: number;
  /** Each steady file's time from its write to its message, in milliseconds. */
  readonly latencies: number[];
}

/**
 * Writes files named `PREFIX-*.csv` into `folder` (a burst, then 200 a second), and times each from its write to its
 * message on `listen`; `pathOf` reads the file's path from a message.
 */
export async function fileRun(
  nc: NatsConnection,
  folder: string,
  listen: string,
  pathOf: (data: Uint8Array) => string,
  prefix: string,
): Promise<FileRun> {
  const written = new Map<string, number>();
  const latencies: number[] = [];
  const sub = nc.subscribe(listen, {
    callback: (_e, m) => {
      const at = written.get(pathOf(m.data));
      if (at !== undefined) latencies.push(now() - at);
    },
  });
  await nc.flush(); // the subscription is in place before the first file: the burst blocks the event loop
  const write = (name: string) => {
    const path = join(folder, `${prefix}-${name}.csv`);
    written.set(path, now());
    writeFileSync(path, `${name}\n`);
  };
  const burstStart = now();
  for (let i = 0; i < burstFiles; i++) write(`burst${i}`);
  while (latencies.length < burstFiles) await sleep(10);
  const burstRate = burstFiles / ((now() - burstStart) / 1000);
  latencies.length = 0;
  const steadyStart = now();
  for (let i = 0; i < steadyFiles; i++) {
    const wait = steadyStart + i * steadyEveryMs - now();
    if (wait > 0) await sleep(wait);
    write(`steady${i}`);
  }
  while (latencies.length < steadyFiles) await sleep(10);
  sub.unsubscribe();
  return { burstRate, latencies: [...latencies] };
}
