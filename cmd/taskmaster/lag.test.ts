import { describe, expect, it } from "vitest";
import type { EngineRole } from "./engine.ts";
import { pollConsumerLag } from "./lag.ts";

const running = (pending: number) => {
  let asked = 0;
  const engine = {
    streams: async () => {
      asked++;
      return [
        {
          name: "TASKMASTER_DONE",
          subjects: ["done"],
          messages: 9,
          bytes: 900,
          consumers: [{ name: "taskmaster-done", pending, ackPending: 2, redelivered: 0 }],
          problem: "",
        },
      ];
    },
  } as unknown as EngineRole;
  return { engine, asked: () => asked };
};

describe("the consumers' lag on the engine's /metrics", () => {
  it("is empty while the engine starts, then polled once for the scrapes that follow", async () => {
    let engine: EngineRole | undefined;
    const lag = pollConsumerLag(() => engine);
    expect(await lag.current()).toEqual([]);
    const started = running(7);
    engine = started.engine;
    const gauge = { stream: "TASKMASTER_DONE", consumer: "taskmaster-done", pending: 7, ackPending: 2 };
    expect(await lag.current()).toEqual([gauge]);
    expect(await lag.current()).toEqual([gauge]);
    expect(started.asked()).toBe(1);
    lag.stop();
  });
});
