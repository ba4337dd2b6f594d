/** The scheduler: firing on time, catching up after downtime or a late timer, updates and stop. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../clock/index.ts";
import { buildSnapshot } from "../workflow/index.ts";
import { gate, heldFire, setup, snapshotOf, storedSlot } from "./fixture.ts";
import { createScheduler } from "./scheduler.ts";

const t = (text: string) => new Date(text);
const second = 1000;
const minute = 60 * second;

afterEach(() => {
  vi.useRealTimers();
});

describe("firing on time", () => {
  it("fires each slot when it comes, and stores it after fire resolved", async () => {
    const { record, store, scheduler } = setup("2026-01-15T10:02:00Z");
    await scheduler.start(snapshotOf({ t: "cron=*/5 * * * *" }));
    expect(record.fired).toEqual([]);
    // A phase never seen before starts from now and does not backfill.
    expect(storedSlot(store)).toBe("2026-01-15T10:02:00.000Z");
    expect(scheduler.state()).toEqual([
      {
        id: "w.toml|t",
        workflow: "w.toml",
        phase: "t",
        next: t("2026-01-15T10:05:00Z"),
        lastFired: null,
        lastSlot: t("2026-01-15T10:02:00Z"),
        failures: 0,
      },
    ]);
    await vi.advanceTimersByTimeAsync(3 * minute - 1);
    expect(record.fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(record.fired).toEqual(["t@2026-01-15T10:05:00.000Z"]);
    expect(storedSlot(store)).toBe("2026-01-15T10:05:00.000Z");
    await vi.advanceTimersByTimeAsync(10 * minute);
    expect(record.fired).toEqual([
      "t@2026-01-15T10:05:00.000Z",
      "t@2026-01-15T10:10:00.000Z",
      "t@2026-01-15T10:15:00.000Z",
    ]);
    expect(record.types()).toEqual(["cronFired", "cronFired", "cronFired"]);
    expect(scheduler.state()[0]).toMatchObject({
      next: t("2026-01-15T10:20:00Z"),
      lastFired: t("2026-01-15T10:15:00Z"),
    });
    await scheduler.stop();
  });

  it("stores a slot only once fire resolved", async () => {
    const held = gate();
    const fired: string[] = [];
    const { store, scheduler } = setup("2026-01-15T10:02:00Z", { fire: heldFire(held, fired) });
    await scheduler.start(snapshotOf({ t: "cron=*/5 * * * *" }));
    await vi.advanceTimersByTimeAsync(3 * minute);
    expect(fired).toEqual(["2026-01-15T10:05:00.000Z"]);
    expect(storedSlot(store)).toBe("2026-01-15T10:02:00.000Z");
    held.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(storedSlot(store)).toBe("2026-01-15T10:05:00.000Z");
    await scheduler.stop();
  });

  it("fires 6-field, @hourly, @every and zoned phases at their instants", async () => {
    const { record, scheduler } = setup("2026-01-15T09:59:00Z");
    await scheduler.start(
      snapshotOf({
        seconds: "cron=30 0 10 * * *",
        hourly: "cron=@hourly",
        every: "cron=@every 90s",
        ny: "cron=0 5 * * *&tz=America/New_York",
        kolkata: "cron=CRON_TZ=Asia/Kolkata 30 15 * * *",
      }),
    );
    // @every 90s: 10:00:00 is a whole multiple of 90s since the epoch, 09:59:30 is not.
    await vi.advanceTimersByTimeAsync(3 * minute);
    expect(record.fired).toEqual([
      "every@2026-01-15T10:00:00.000Z",
      "hourly@2026-01-15T10:00:00.000Z",
      "kolkata@2026-01-15T10:00:00.000Z",
      "ny@2026-01-15T10:00:00.000Z",
      "seconds@2026-01-15T10:00:30.000Z",
      "every@2026-01-15T10:01:30.000Z",
    ]);
    await scheduler.stop();
  });
});

describe("catching up after downtime", () => {
  // Every 10 minutes; the store says 08:00 was the last slot; it is 10:05: 08:10 to 10:00 were missed.
  const down = ["2026-01-15T10:05:00Z", { stored: { "w.toml|t": "2026-01-15T08:00:00Z" } }] as const;

  it("latest: fires the newest missed slot, reports the others, then runs on", async () => {
    const { record, store, scheduler } = setup(...down);
    await scheduler.start(snapshotOf({ t: "cron=*/10 * * * *" }));
    expect(record.fired).toEqual(["t@2026-01-15T10:00:00.000Z"]);
    expect(record.events[0]).toEqual({
      type: "cronSkipped",
      phaseId: "w.toml|t",
      workflow: "w.toml",
      phase: "t",
      skipped: 11,
      firstSkipped: t("2026-01-15T08:10:00Z"),
      lastSkipped: t("2026-01-15T09:50:00Z"),
    });
    expect(storedSlot(store)).toBe("2026-01-15T10:00:00.000Z");
    await vi.advanceTimersByTimeAsync(5 * minute);
    expect(record.fired).toEqual(["t@2026-01-15T10:00:00.000Z", "t@2026-01-15T10:10:00.000Z"]);
    await scheduler.stop();
  });

  it("all: fires every slot in the window, oldest first, at most catchup_max", async () => {
    const { record, scheduler } = setup(...down);
    await scheduler.start(
      snapshotOf({ t: "cron=*/10 * * * *&catchup=all&catchup_window=30m&catchup_max=2" }),
    );
    expect(record.fired).toEqual(["t@2026-01-15T09:50:00.000Z", "t@2026-01-15T10:00:00.000Z"]);
    expect(record.events[0]).toMatchObject({ type: "cronSkipped", skipped: 10 });
    await scheduler.stop();
  });

  it("none: fires nothing, and moves the stored slot past what it skipped", async () => {
    const { record, store, scheduler } = setup(...down);
    await scheduler.start(snapshotOf({ t: "cron=*/10 * * * *&catchup=none" }));
    expect(record.fired).toEqual([]);
    expect(record.events).toMatchObject([{ type: "cronSkipped", skipped: 12 }]);
    expect(storedSlot(store)).toBe("2026-01-15T10:00:00.000Z");
    await scheduler.stop();
  });

  it("records skipped slots before it stores past them, and tries again when they cannot be recorded", async () => {
    const held = gate();
    const recorded: number[] = [];
    let failing = true;
    const { record, store, scheduler } = setup(down[0], {
      ...down[1],
      recordSkipped: async (e) => {
        if (failing) {
          failing = false;
          throw new Error("events stream away");
        }
        await held.opened;
        recorded.push(e.skipped);
      },
    });
    await scheduler.start(snapshotOf({ t: "cron=*/10 * * * *&catchup=none" }));
    expect(record.types()).toEqual(["cronFailed"]);
    expect(storedSlot(store)).toBe("2026-01-15T08:00:00.000Z");
    await vi.advanceTimersByTimeAsync(second);
    expect(storedSlot(store)).toBe("2026-01-15T08:00:00.000Z");
    held.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(recorded).toEqual([12]);
    expect(record.types()).toEqual(["cronFailed", "cronSkipped"]);
    expect(storedSlot(store)).toBe("2026-01-15T10:00:00.000Z");
    await scheduler.stop();
  });

  it("does not fire a slot twice across a restart", async () => {
    const { record, store, scheduler } = setup(...down);
    const snapshot = snapshotOf({ t: "cron=*/10 * * * *&catchup=all&catchup_window=30m" });
    await scheduler.start(snapshot);
    await scheduler.stop();
    const again = createScheduler({ clock: systemClock, store, fire: record.fire, onEvent: record.onEvent });
    await again.start(snapshot);
    expect(record.fired).toEqual([
      "t@2026-01-15T09:40:00.000Z",
      "t@2026-01-15T09:50:00.000Z",
      "t@2026-01-15T10:00:00.000Z",
    ]);
    await again.stop();
  });

  it("applies the catch-up rule when a timer fires late (the process was paused)", async () => {
    const { record, scheduler } = setup("2026-01-15T10:02:00Z");
    await scheduler.start(snapshotOf({ t: "cron=*/5 * * * *" }));
    // The clock jumps half an hour while the 10:05 timer is still 3 minutes away.
    vi.setSystemTime(t("2026-01-15T10:32:00Z"));
    await vi.advanceTimersByTimeAsync(3 * minute);
    expect(record.fired).toEqual(["t@2026-01-15T10:35:00.000Z"]);
    expect(record.events[0]).toMatchObject({
      type: "cronSkipped",
      skipped: 6,
      firstSkipped: t("2026-01-15T10:05:00Z"),
      lastSkipped: t("2026-01-15T10:30:00Z"),
    });
    await vi.advanceTimersByTimeAsync(5 * minute);
    expect(record.fired).toEqual(["t@2026-01-15T10:35:00.000Z", "t@2026-01-15T10:40:00.000Z"]);
    await scheduler.stop();
  });
});

describe("update", () => {
  it("keeps an unchanged phase's timer and state, and fires its newest version", async () => {
    const templates: string[] = [];
    const { scheduler } = setup("2026-01-15T10:02:00Z", {
      fire: async (phase) => {
        templates.push(phase.template);
      },
    });
    const file = (template: string) => {
      const text = `[[phase]]
task = "t"
rule = "cron=*/5 * * * *"
template = "${template}"
`;
      return buildSnapshot("/wf", [{ name: "w.toml", path: "/wf/w.toml", text }]);
    };
    await scheduler.start(file("v1"));
    const before = scheduler.state();
    await scheduler.update(file("v2"));
    expect(scheduler.state()).toEqual(before);
    await vi.advanceTimersByTimeAsync(3 * minute);
    expect(templates).toEqual(["v2"]);
    await scheduler.stop();
  });

  it("fires a slot once when update is called with the same snapshot while it is firing", async () => {
    const held = gate();
    const fired: string[] = [];
    const { scheduler } = setup("2026-01-15T10:02:00Z", { fire: heldFire(held, fired) });
    const snapshot = snapshotOf({ t: "cron=*/5 * * * *" });
    await scheduler.start(snapshot);
    await vi.advanceTimersByTimeAsync(3 * minute);
    expect(fired).toEqual(["2026-01-15T10:05:00.000Z"]);
    await scheduler.update(snapshot);
    await scheduler.update(snapshotOf({ t: "cron=*/5 * * * *" }));
    held.open();
    await vi.advanceTimersByTimeAsync(4 * minute);
    expect(fired).toEqual(["2026-01-15T10:05:00.000Z"]);
    await vi.advanceTimersByTimeAsync(1 * minute);
    expect(fired).toEqual(["2026-01-15T10:05:00.000Z", "2026-01-15T10:10:00.000Z"]);
    await scheduler.stop();
  });

  it("re-arms a phase whose cron changed, from now, without backfilling", async () => {
    const { record, store, scheduler } = setup("2026-01-15T10:02:00Z");
    await scheduler.start(snapshotOf({ t: "cron=*/5 * * * *" }));
    await vi.advanceTimersByTimeAsync(4 * minute);
    await scheduler.update(snapshotOf({ t: "cron=*/7 * * * *" }));
    expect(storedSlot(store)).toBe("2026-01-15T10:06:00.000Z");
    expect(scheduler.state()[0]?.next).toEqual(t("2026-01-15T10:07:00Z"));
    await vi.advanceTimersByTimeAsync(9 * minute);
    expect(record.fired).toEqual([
      "t@2026-01-15T10:05:00.000Z",
      "t@2026-01-15T10:07:00.000Z",
      "t@2026-01-15T10:14:00.000Z",
    ]);
    await scheduler.stop();
  });

  it("re-arms when only the zone or the catch-up rule changed", async () => {
    const { scheduler } = setup("2026-01-15T10:02:00Z");
    await scheduler.start(snapshotOf({ t: "cron=0 6 * * *" }));
    expect(scheduler.state()[0]?.next).toEqual(t("2026-01-16T06:00:00Z"));
    await scheduler.update(snapshotOf({ t: "cron=0 6 * * *&tz=America/New_York" }));
    expect(scheduler.state()[0]?.next).toEqual(t("2026-01-15T11:00:00Z"));
    await vi.advanceTimersByTimeAsync(1 * minute);
    await scheduler.update(snapshotOf({ t: "cron=0 6 * * *&tz=America/New_York" }));
    expect(scheduler.state()[0]?.lastSlot).toEqual(t("2026-01-15T10:02:00Z"));
    // A new catch-up rule starts the phase over from now.
    await scheduler.update(snapshotOf({ t: "cron=0 6 * * *&tz=America/New_York&catchup=none" }));
    expect(scheduler.state()[0]?.lastSlot).toEqual(t("2026-01-15T10:03:00Z"));
    await scheduler.stop();
  });

  it("stops a removed phase and starts a new one", async () => {
    const { record, scheduler } = setup("2026-01-15T10:02:00Z");
    await scheduler.start(snapshotOf({ a: "cron=*/5 * * * *", b: "cron=*/5 * * * *" }));
    await scheduler.update(snapshotOf({ b: "cron=*/5 * * * *", c: "cron=*/10 * * * *" }));
    expect(scheduler.state().map((state) => state.id)).toEqual(["w.toml|b", "w.toml|c"]);
    await vi.advanceTimersByTimeAsync(8 * minute);
    expect([...record.fired].sort()).toEqual([
      "b@2026-01-15T10:05:00.000Z",
      "b@2026-01-15T10:10:00.000Z",
      "c@2026-01-15T10:10:00.000Z",
    ]);
    await scheduler.stop();
  });
});

describe("stop", () => {
  it("waits for a fire in progress, then fires nothing more; twice is fine", async () => {
    const held = gate();
    const fired: string[] = [];
    const { scheduler } = setup("2026-01-15T10:02:00Z", { fire: heldFire(held, fired) });
    await scheduler.start(snapshotOf({ t: "cron=*/5 * * * *" }));
    await vi.advanceTimersByTimeAsync(3 * minute);
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(1 * minute);
    expect(stopped).toBe(false);
    held.open();
    await stopping;
    expect(stopped).toBe(true);
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(60 * minute);
    expect(fired).toEqual(["2026-01-15T10:05:00.000Z"]);
    expect(scheduler.state()).toEqual([]);
  });
});
