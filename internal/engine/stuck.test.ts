// The stuck watch against the real engine, with an outbox whose acks the test releases, under fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Inbound, PubAck } from "../bus/index.ts";
import { systemClock } from "../clock/index.ts";
import { taskJson } from "../task/index.ts";
import { buildSnapshot } from "../workflow/index.ts";
import { createEngine } from "./engine.ts";
import type { EventOf } from "./events.ts";
import type { Outbox } from "./outbox.ts";
import { watchStuck } from "./stuck.ts";

const snapshot = buildSnapshot("/wf", [
  {
    name: "w.toml",
    path: "/wf/w.toml",
    text: '[[phase]]\ntask = "p"\nrule = "cron=@daily"\n\n[[phase]]\ntask = "c"\ndependsOn = "p"\n',
  },
]);

function done(id: string, seq: number): Inbound {
  const data = new TextEncoder().encode(
    taskJson({
      type: "p",
      info: "",
      id,
      created: "2024-01-15T00:00:00Z",
      result: "complete",
      meta: "workflow=w.toml",
    }),
  );
  return {
    data,
    subject: "done",
    seq,
    timestampNanos: 0n,
    redelivered: false,
    ack() {},
    nak() {},
    term() {},
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2024-01-15T10:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("watchStuck", () => {
  it("reports a message held past the bound once, counts the engine stuck until it is done, then not", async () => {
    const acks: (() => void)[] = [];
    const outbox: Outbox = {
      publish: () =>
        new Promise<PubAck>((resolve) => acks.push(() => resolve({ stream: "S", seq: 1, duplicate: false }))),
    };
    const engine = createEngine({
      outbox,
      subjects: { taskPrefix: "", failed: "", retry: "r" },
      clock: systemClock,
      host: "h",
      readMetaFile: () => [],
    });
    engine.setSnapshot(snapshot);
    const reports: EventOf<"workStuck">[] = [];
    engine.events.on("workStuck", (e) => reports.push(e));
    const watch = watchStuck(engine, { stuckAfterMs: 60_000, clock: systemClock, events: engine.events });

    engine.onDone(done("a", 11));
    await vi.advanceTimersByTimeAsync(30_000);
    engine.onDone(done("b", 12));
    await vi.advanceTimersByTimeAsync(29_000);
    expect(engine.oldestMs()).toBe(59_000);
    expect(watch.stuck()).toBe(false);
    expect(reports).toEqual([]);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(watch.stuck()).toBe(true);
    expect(reports).toEqual([
      { type: "workStuck", kind: "done", subject: "done", seq: 11, heldMs: 60_000, stuckAfterMs: 60_000 },
    ]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(reports.map((r) => r.seq)).toEqual([11, 12]);

    for (const ack of acks.splice(0)) ack();
    await engine.drain();
    expect(engine.oldestMs()).toBe(0);
    expect(engine.held()).toEqual([]);
    expect(watch.stuck()).toBe(false);
    watch.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(reports).toHaveLength(2);
  });
});
