/**
 * How far the history is behind the streams in `make bench`, read from outside as an operator would: the history's
 * position in each stream from its `/metrics` (`taskmaster_history_position{stream}`), and each stream's last
 * sequence and the time it was stored from the stream's state. The history's lag at a moment is how long ago the
 * first message it has not projected was stored: that time is interpolated between two looks at the stream's state
 * (each gives a sequence and the moment it was stored), so it is exact at the looks and off by a fraction of the
 * 100 ms between them elsewhere.
 */
import type { JetStreamManager } from "@nats-io/jetstream";

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The history's position in each stream it follows, by stream name, from its /metrics on `port`. */
export async function historyPositions(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const positions = new Map<string, number>();
  for (const m of text.matchAll(/^taskmaster_history_position\{stream="([^"]+)"\} (\d+)$/gm))
    positions.set(m[1] ?? "", Number(m[2]));
  return positions;
}

/** A stream's state at a look: its first and last sequence, and when its last message was stored (ms). */
interface StreamLook {
  readonly first: number;
  readonly last: number;
  readonly storedAt: number;
}

async function look(jsm: JetStreamManager, stream: string): Promise<StreamLook> {
  const { state } = await jsm.streams.info(stream);
  return { first: state.first_seq, last: state.last_seq, storedAt: Date.parse(state.last_ts) };
}

/** Messages of each stream projected: its position past the stream's first sequence (purged messages not counted). */
function projected(positions: Map<string, number>, looks: Map<string, StreamLook>): number {
  let n = 0;
  for (const [stream, seq] of positions) n += Math.max(0, seq - ((looks.get(stream)?.first ?? 1) - 1));
  return n;
}

export interface CatchUp {
  /** Seconds from the first answer of its /metrics until it held every message the streams held then. */
  readonly seconds: number;
  /** Messages it projected in that time. */
  readonly messages: number;
}

/**
 * Waits until the history on `port` holds every message its streams hold now (at most `limitMs`); the messages it
 * projected from its first answer on, and the time that took.
 */
export async function historyCatchUp(
  jsm: JetStreamManager,
  port: number,
  limitMs = 120_000,
): Promise<CatchUp> {
  let positions: Map<string, number> | undefined;
  const start = now();
  while (positions === undefined || positions.size === 0) {
    positions = await historyPositions(port).catch(() => undefined);
    if (now() - start > limitMs) throw new Error(`the history on port ${port} shows no positions`);
    if (positions === undefined || positions.size === 0) await sleep(20);
  }
  const first = now();
  const looks = new Map<string, StreamLook>();
  for (const stream of positions.keys()) looks.set(stream, await look(jsm, stream));
  const before = projected(positions, looks);
  const behind = (p: Map<string, number>) => [...looks].some(([stream, l]) => (p.get(stream) ?? 0) < l.last);
  while (behind(positions) && now() - first < limitMs) {
    await sleep(50);
    positions = await historyPositions(port);
  }
  if (behind(positions)) throw new Error(`the history on port ${port} did not catch up in ${limitMs} ms`);
  return { seconds: (now() - first) / 1000, messages: projected(positions, looks) - before };
}

/**
 * Samples the history's lag every `everyMs` on the `streams` it follows until `stop()`, which gives each sample's lag
 * in ms (0 when it had projected everything the stream held at the last look). Samples taken before `from` (ms
 * since the epoch) are not kept: the looks before it only date the messages stored then.
 */
export function lagSampler(
  jsm: JetStreamManager,
  port: number,
  streams: readonly string[],
  from: number,
  everyMs = 100,
): { stop(): Promise<number[]> } {
  const looks = new Map<string, StreamLook[]>(streams.map((s) => [s, []]));
  const lags: number[] = [];
  let running = true;
  /** When sequence `seq` of `stream` was stored, interpolated between the looks around it; undefined before them. */
  const storedAt = (stream: string, seq: number): number | undefined => {
    const seen = looks.get(stream) ?? [];
    const after = seen.findIndex((l) => l.last >= seq);
    if (after <= 0) return after === 0 ? seen[0]?.storedAt : undefined;
    const a = seen[after - 1] as StreamLook;
    const b = seen[after] as StreamLook;
    return a.storedAt + ((seq - a.last) / (b.last - a.last)) * (b.storedAt - a.storedAt);
  };
  const loop = (async () => {
    while (running) {
      const next = now() + everyMs;
      for (const stream of streams) looks.get(stream)?.push(await look(jsm, stream));
      const positions = await historyPositions(port);
      const at = now();
      if (at >= from) {
        let lag = 0;
        for (const stream of streams) {
          const last = looks.get(stream)?.at(-1)?.last ?? 0;
          const position = positions.get(stream) ?? 0;
          if (position >= last) continue;
          const stored = storedAt(stream, position + 1);
          if (stored !== undefined) lag = Math.max(lag, at - stored);
        }
        lags.push(lag);
      }
      await sleep(Math.max(0, next - now()));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return lags;
    },
  };
}
