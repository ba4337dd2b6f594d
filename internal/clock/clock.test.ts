import { describe, expect, it } from "vitest";
import { every, manualClock } from "./index.ts";

const start = Date.UTC(2026, 0, 1);

describe("manualClock", () => {
  it("stands still until advanced, then fires each timer that fell due at its own time, in order", async () => {
    const clock = manualClock(start);
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now().getTime() - start}`);
    clock.setTimer(300, at("c"));
    clock.setTimer(100, at("a"));
    clock.setTimer(100, at("b"));
    clock.setTimer(301, at("late"));
    expect(clock.due()).toEqual([start + 100, start + 100, start + 300, start + 301]);
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(201);
    expect(fired).toEqual(["a@100", "b@100", "c@300"]);
    expect(clock.now().getTime()).toBe(start + 300);
    expect(clock.due()).toEqual([start + 301]);
  });

  it("does not fire a cancelled timer", async () => {
    const clock = manualClock(start);
    let fired = false;
    const cancel = clock.setTimer(10, () => {
      fired = true;
    });
    cancel();
    await clock.advance(1_000);
    expect(fired).toBe(false);
    expect(clock.due()).toEqual([]);
  });

  it("fires within one advance a timer armed by what an earlier one started", async () => {
    const clock = manualClock(start);
    const fired: number[] = [];
    clock.setTimer(100, () => {
      void Promise.resolve().then(() => clock.setTimer(100, () => fired.push(clock.now().getTime() - start)));
    });
    await clock.advance(250);
    expect(fired).toEqual([200]);
  });

  it("refuses to go on when a timer keeps re-arming without letting time pass", async () => {
    const clock = manualClock(start);
    const again = () => clock.setTimer(0, again);
    again();
    await expect(clock.advance(1)).rejects.toThrow("one keeps re-arming");
  });
});

describe("every", () => {
  it("calls back every period until stopped, and goes on after a call that throws", async () => {
    const clock = manualClock(start);
    const calls: number[] = [];
    const stop = every(clock, 1_000, () => {
      calls.push(clock.now().getTime() - start);
      if (calls.length === 1) throw new Error("one bad tick");
    });
    await expect(clock.advance(1_000)).rejects.toThrow("one bad tick");
    await clock.advance(2_500);
    expect(calls).toEqual([1_000, 2_000, 3_000]);
    stop();
    await clock.advance(5_000);
    expect(calls).toHaveLength(3);
    expect(clock.due()).toEqual([]);
  });
});
