/**
 * The durable consumers' lag for the engine's `/metrics`: polled from NATS every 15 s, so a scrape never waits on
 * NATS, and once as soon as the engine runs (it starts after the listener), so the first scrape after that has it.
 */
import type { ConsumerGauge } from "../../internal/metrics/index.ts";
import type { EngineRole } from "./engine.ts";

const pollEveryMs = 15_000;

export interface ConsumerLag {
  /** As last polled; empty before the first poll. */
  current(): Promise<readonly ConsumerGauge[]>;
  stop(): void;
}

export function pollConsumerLag(engine: () => EngineRole | undefined): ConsumerLag {
  let consumers: readonly ConsumerGauge[] = [];
  let first: Promise<void> | undefined;
  const poll = async (running: EngineRole) => {
    const streams = await running.streams().catch(() => []);
    consumers = streams.flatMap((s) =>
      s.consumers.map((c) => ({
        stream: s.name,
        consumer: c.name,
        pending: c.pending,
        ackPending: c.ackPending,
      })),
    );
  };
  const timer = setInterval(() => {
    const running = engine();
    if (running) void poll(running);
  }, pollEveryMs);
  timer.unref();
  return {
    async current() {
      const running = engine();
      if (running && first === undefined) first = poll(running);
      await first;
      return consumers;
    },
    stop: () => clearInterval(timer),
  };
}
