/**
 * The file intake of `make bench` (step 4) and of `test/bench/files.ts`: files written into a watched folder, each
 * timed from its write to the message it caused arriving at a subscriber. A burst first (files a second), then a
 * steady 200 a second (latency).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";

export const burstFiles = 2000;
export const steadyFiles = 1000;
/** The steady load: a file every 5 ms. */
const steadyEveryMs = 5;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The CPU time a process has used so far (user and system, every thread), in milliseconds. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // utime and stime, the 14th and 15th fields, in clock ticks (100 a second).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The CPU time (ms) that each of these processes used during the burst. */
export type BurstCpu = Record<string, number>;

export interface FileRun {
  /** Files a second from the first write of the burst to the last message. */
  readonly burstRate: number;
  /** Each steady file's time from its write to its message, in milliseconds. */
  readonly latencies: number[];
  /** The same for each file of the burst. */
  readonly burstLatencies: number[];
  /** The CPU time each of the processes named in `cpuOf` used during the burst, in milliseconds. */
  readonly burstCpu: BurstCpu;
  /** When the burst started and ended on the monotonic clock (µs), as CPU profiles time their samples. */
  readonly burstMonotonic: readonly [number, number];
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
  cpuOf: Record<string, number> = {},
): Promise<FileRun> {
  const written = new Map<string, number>();
  const latencies: number[] = [];
  // Each file counts once, at its first message: one caught half written may cause a second (taskmaster triggers
  // the file again once it has changed, as a new file) that must not count as another file.
  const sub = nc.subscribe(listen, {
    callback: (_e, m) => {
      const path = pathOf(m.data);
      const at = written.get(path);
      if (at === undefined) return;
      written.delete(path);
      latencies.push(now() - at);
    },
  });
  await nc.flush(); // the subscription is in place before the first file: the burst blocks the event loop
  const write = (name: string) => {
    const path = join(folder, `${prefix}-${name}.csv`);
    written.set(path, now());
    writeFileSync(path, `${name}\n`);
  };
  // One file first, not timed: its message says the folder is watched (a process just started may still be setting
  // its watch up, and files written before would wait for a scan).
  write("first");
  while (latencies.length < 1) await sleep(10);
  latencies.length = 0;
  const cpuAt = () => Object.fromEntries(Object.entries(cpuOf).map(([name, pid]) => [name, cpuMs(pid)]));
  const cpuBefore = cpuAt();
  const monotonic = () => Number(process.hrtime.bigint() / 1000n);
  const burstStartMonotonic = monotonic();
  const burstStart = now();
  for (let i = 0; i < burstFiles; i++) write(`burst${i}`);
  while (latencies.length < burstFiles) await sleep(10);
  const burstRate = burstFiles / ((now() - burstStart) / 1000);
  const cpuAfter = cpuAt();
  const burstMonotonic = [burstStartMonotonic, monotonic()] as const;
  const burstCpu = Object.fromEntries(
    Object.keys(cpuOf).map((k) => [k, (cpuAfter[k] ?? 0) - (cpuBefore[k] ?? 0)]),
  );
  const burstLatencies = latencies.splice(0);
  const steadyStart = now();
  for (let i = 0; i < steadyFiles; i++) {
    const wait = steadyStart + i * steadyEveryMs - now();
    if (wait > 0) await sleep(wait);
    write(`steady${i}`);
  }
  while (latencies.length < steadyFiles) await sleep(10);
  sub.unsubscribe();
  return { burstRate, latencies: [...latencies], burstLatencies, burstCpu, burstMonotonic };
}
