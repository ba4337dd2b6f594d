import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.ts";
import { type Clock, manualClock } from "../clock/index.ts";
import { BackupError } from "./errors.ts";
import { type BackupSchedule, startBackups } from "./schedule.ts";
import type { BackupEvent, BackupResult } from "./types.ts";

let schedule: BackupSchedule | undefined;
afterEach(async () => {
  await schedule?.stop({ final: false });
  schedule = undefined;
});

const result = (n: number): BackupResult => ({ name: `b${n}`, bytes: 10, sha256: "x", ms: 1, removed: [] });

/** A `run` that fails its first `failFirst` calls, then succeeds; counts calls and overlapping runs. */
function fakeRun(failFirst = 0) {
  const state = { calls: 0, running: 0, maxRunning: 0 };
  const run = async () => {
    state.calls += 1;
    state.running += 1;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    await new Promise((resolve) => setImmediate(resolve)); // a run that takes a turn of the loop: others could start

    state.running -= 1;
    if (state.calls <= failFirst) throw new Error(`down ${state.calls}`);
    return result(state.calls);
  };
  return { run, state };
}

function start(run: () => Promise<BackupResult>, intervalMs = 60_000, clock?: Clock) {
  const events: BackupEvent[] = [];
  schedule = startBackups({
    intervalMs,
    run,
    onEvent: (e) => events.push(e),
    retry: { firstMs: 10, maxMs: 40 },
    ...(clock ? { clock } : {}),
  });
  return { schedule, events };
}

const types = (events: readonly BackupEvent[]) => events.map((e) => e.type);

describe("startBackups", () => {
  it("returns at once and takes a backup every interval", async () => {
    const { run, state } = fakeRun();
    const { events } = start(run, 30);
    expect(state.calls).toBe(0);
    await waitFor(() => state.calls >= 3, { message: "three backups" });
    expect(events[0]).toEqual({ type: "backupTaken", name: "b1", bytes: 10, ms: 1, removed: [] });
  });

  it("retries with a capped backoff, reports failing once after 3 failures, then recovered", async () => {
    const { run } = fakeRun(5);
    const { schedule, events } = start(run);
    await expect(schedule.runNow()).rejects.toThrow("down 1");
    await waitFor(() => events.some((e) => e.type === "backupRecovered"), { message: "recovery" });
    expect(types(events)).toEqual([
      "backupFailed",
      "backupFailed",
      "backupFailed",
      "backupFailing",
      "backupFailed",
      "backupFailed",
      "backupTaken",
      "backupRecovered",
    ]);
    const failed = events.filter((e) => e.type === "backupFailed");
    expect(failed.map((e) => [e.attempt, e.willRetryInMs])).toEqual([
      [1, 10],
      [2, 20],
      [3, 40],
      [4, 40],
      [5, 40],
    ]);
    expect(events[3]).toMatchObject({ type: "backupFailing", attempts: 3, since: expect.any(Date) });
  });

  it("never waits longer than the interval before a retry", async () => {
    const events: BackupEvent[] = [];
    schedule = startBackups({
      intervalMs: 15,
      run: fakeRun(1).run,
      onEvent: (e) => events.push(e),
      retry: { firstMs: 1_000, maxMs: 60_000 },
    });
    await waitFor(() => events.some((e) => e.type === "backupTaken"), {
      message: "a retry within the interval",
    });
    expect(events[0]).toMatchObject({ type: "backupFailed", willRetryInMs: 15 });
  });

  it("runs one backup at a time", async () => {
    const { run, state } = fakeRun();
    const { schedule } = start(run);
    const results = await Promise.all([schedule.runNow(), schedule.runNow(), schedule.runNow()]);
    expect(results.map((r) => r.name)).toEqual(["b1", "b2", "b3"]);
    expect(state.maxRunning).toBe(1);
  });

  it("takes a final backup on stop, after the one in progress, and then refuses more", async () => {
    const { run, state } = fakeRun();
    const { schedule, events } = start(run);
    const first = schedule.runNow();
    await schedule.stop({ final: true });
    await first;
    expect(state.calls).toBe(2);
    expect(types(events)).toEqual(["backupTaken", "backupTaken"]);
    await expect(schedule.runNow()).rejects.toThrow(BackupError);
    await schedule.stop({ final: true });
    expect(state.calls).toBe(2);
  });

  it("reports a failed final backup without a retry, and does not throw", async () => {
    const { run, state } = fakeRun(1);
    const clock = manualClock();
    const { schedule, events } = start(run, 60_000, clock);
    await expect(schedule.stop({ final: true })).resolves.toBeUndefined();
    expect(events).toEqual([
      { type: "backupFailed", error: expect.any(Error), attempt: 1, willRetryInMs: null },
    ]);
    expect(clock.due()).toEqual([]);
    await clock.advance(120_000);
    expect(state.calls).toBe(1);
  });

  it("keeps going when a listener throws", async () => {
    const { run, state } = fakeRun();
    schedule = startBackups({
      intervalMs: 10,
      run,
      onEvent: () => {
        throw new Error("listener");
      },
    });
    await waitFor(() => state.calls >= 2, { message: "backups despite the listener" });
  });

  it("refuses an interval that is not above 0", () => {
    expect(() => startBackups({ intervalMs: 0, run: fakeRun().run, onEvent: () => undefined })).toThrow(
      BackupError,
    );
  });
});
