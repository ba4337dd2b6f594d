import { describe, expect, it } from "vitest";
import { createDigestSchedule } from "./schedule.ts";

const minute = 60_000;

/** Runs checks from t=0, each after the wait the previous one asked for; returns when digests went out. */
function simulate(hasNewAt: (t: number) => boolean, checks: number, minMs = 5 * minute, maxMs = 80 * minute) {
  const schedule = createDigestSchedule({ minMs, maxMs });
  const sentAt: number[] = [];
  const waits: number[] = [];
  let t = 0;
  for (let i = 0; i < checks; i++) {
    const { send, waitMs } = schedule.next(new Date(t), hasNewAt(t));
    if (send) sentAt.push(t / minute);
    waits.push(waitMs / minute);
    t += waitMs;
  }
  return { sentAt, waits, schedule };
}

describe("digest schedule", () => {
  it("backs off like flowlord under constant failures: 0, 10, 30, 70, 150, 230 min", () => {
    const { sentAt, waits, schedule } = simulate(() => true, 7);
    expect(sentAt).toEqual([0, 10, 30, 70, 150, 230, 310]);
    expect(waits).toEqual([10, 20, 40, 80, 80, 80, 80]);
    expect(schedule.currentMs).toBe(80 * minute);
    expect(schedule.lastSentAt).toEqual(new Date(310 * minute));
  });

  it("resets to min after one quiet check, then backs off again", () => {
    // Failures until t=70, quiet at the check at t=150, failing again afterwards.
    const { sentAt, waits } = simulate((t) => t < 100 * minute || t >= 155 * minute, 8);
    expect(sentAt).toEqual([0, 10, 30, 70, 155, 165, 185]);
    expect(waits).toEqual([10, 20, 40, 80, 5, 10, 20, 40]);
  });

  it("checks every min while quiet and sends nothing", () => {
    const { sentAt, waits, schedule } = simulate(() => false, 3);
    expect(sentAt).toEqual([]);
    expect(waits).toEqual([5, 5, 5]);
    expect(schedule.currentMs).toBe(5 * minute);
    expect(schedule.lastSentAt).toBeNull();
  });

  it("never waits more than max, even when max is below min", () => {
    const { waits } = simulate(() => true, 3, 5 * minute, minute);
    expect(waits).toEqual([5, 5, 5]);
  });
});
