/** Failed fires: the same slot again with a capped backoff, and the catch-up rule once later slots pass. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../clock/index.ts";
import { iso, setup, snapshotOf, storedSlot } from "./fixture.ts";
import { retryDelayMs } from "./runner.ts";
import { createScheduler } from "./scheduler.ts";
import type { SlotStore } from "./types.ts";

const t = (text: string) => new Date(text);
const second = 1000;
const minute = 60 * second;

afterEach(() => {
  vi.useRealTimers();
});

describe("failures", () => {
  it("retries the same slot after 1s, 2s ... until fire succeeds", async () => {
    const { record, store, scheduler } = setup("2026-01-15T10:02:00Z");
    record.failNext("t", 2);
    await scheduler.start(snapshotOf({ t: "cron=*/5 * * * *" }));
    await vi.advanceTimersByTimeAsync(3 * minute);
    expect(record.events).toMatchObject([
      {
        type: "cronFailed",
        slot: t("2026-01-15T10:05:00Z"),
        retryInMs: 1000,
        error: { message: "publish failed for t" },
      },
    ]);
    expect(storedSlot(store)).toBe("2026-01-15T10:02:00.000Z");
    expect(scheduler.state()[0]).toMatchObject({ next: t("2026-01-15T10:05:00Z"), failures: 1 });
    await vi.advanceTimersByTimeAsync(1 * second);
    expect(record.events[1]).toMatchObject({
      type: "cronFailed",
      slot: t("2026-01-15T10:05:00Z"),
      retryInMs: 2000,
    });
    await vi.advanceTimersByTimeAsync(2 * second);
    expect(record.fired).toEqual(["t@2026-01-15T10:05:00.000Z"]);
    expect(storedSlot(store)).toBe("2026-01-15T10:05:00.000Z");
    expect(scheduler.state()[0]).toMatchObject({ next: t("2026-01-15T10:10:00Z"), failures: 0 });
    await vi.advanceTimersByTimeAsync(5 * minute);
    expect(record.fired).toEqual(["t@2026-01-15T10:05:00.000Z", "t@2026-01-15T10:10:00.000Z"]);
    await scheduler.stop();
  });

  it("caps the backoff at 60s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(retryDelayMs)).toEqual(
      [1, 2, 4, 8, 16, 32, 60, 60].map((s) => s * 1000),
    );
  });

  it("applies the catch-up rule when more slots pass while it retries", async () => {
    const { record, scheduler } = setup("2026-01-15T10:00:30Z");
    record.failNext("t", 7);
    await scheduler.start(snapshotOf({ t: "cron=* * * * *" }));
    // 10:01 fails at 10:01:00, :01, :03, :07, :15 and :31; at 10:02:03 10:02 has passed too: latest fires 10:02
    // (fails, 60s), and at 10:03:03 10:03.
    await vi.advanceTimersByTimeAsync(3 * minute);
    expect(record.fired).toEqual(["t@2026-01-15T10:03:00.000Z"]);
    expect(record.types()).toEqual([
      ...Array(6).fill("cronFailed"),
      "cronSkipped",
      "cronFailed",
      "cronSkipped",
      "cronFired",
    ]);
    expect(record.events[6]).toMatchObject({
      firstSkipped: t("2026-01-15T10:01:00Z"),
      lastSkipped: t("2026-01-15T10:01:00Z"),
    });
    expect(record.events[7]).toMatchObject({ slot: t("2026-01-15T10:02:00Z"), retryInMs: 60_000 });
    await scheduler.stop();
  });

  it("keeps going when the listener throws or the store fails", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(t("2026-01-15T10:02:00Z"));
    const fired: string[] = [];
    const events: string[] = [];
    const store: SlotStore = {
      get: async () => {
        throw new Error("kv down");
      },
      set: async () => {
        throw new Error("kv down");
      },
    };
    const scheduler = createScheduler({
      clock: systemClock,
      store,
      fire: async (_phase, slot) => {
        fired.push(iso(slot));
      },
      onEvent: (event) => {
        events.push(event.type);
        throw new Error("listener bug");
      },
    });
    await scheduler.start(snapshotOf({ t: "cron=*/5 * * * *" }));
    await vi.advanceTimersByTimeAsync(8 * minute);
    expect(fired).toEqual(["2026-01-15T10:05:00.000Z", "2026-01-15T10:10:00.000Z"]);
    expect(events).toEqual([
      "cronStoreFailed",
      "cronStoreFailed",
      "cronFired",
      "cronStoreFailed",
      "cronFired",
    ]);
    await scheduler.stop();
  });
});
