import { describe, expect, it } from "vitest";
import { cursor } from "./batch.ts";
import { CaughtUpWaiters, rebuildFrom, rebuilt, standing } from "./progress.ts";

const at = (tasks: number, done: number) => [
  cursor("tasks", "T", { seq: tasks, lost: 1 }),
  cursor("done", "D", { seq: done, lost: 0 }),
];
const last = new Map([
  ["T", 10],
  ["D", 6],
]);

describe("how far the follower is", () => {
  it("stands at its committed positions, behind by what the streams hold beyond them", () => {
    expect(standing(at(4, 6), last)).toEqual({ positions: { T: 4, D: 6 }, behind: 6, lost: 1 });
  });

  it("counts a rebuild's messages from where it began to where the streams were then", () => {
    const r = rebuildFrom(at(2, 0), last, 0);
    expect(r.total).toBe(14);
    expect(rebuilt(r, at(7, 3))).toBe(8);
    // Messages stored after the rebuild began are not part of it.
    expect(rebuilt(r, at(12, 9))).toBe(14);
  });

  it("lets a caller wait until every stream is written up to where it was", async () => {
    const waiters = new CaughtUpWaiters();
    let done = false;
    const caught = waiters.wait(last).then(() => {
      done = true;
    });
    waiters.settle(at(10, 5));
    await Promise.resolve();
    expect(done).toBe(false);
    waiters.settle(at(10, 6));
    await caught;
    expect(done).toBe(true);
    const stopped = waiters.wait(last);
    waiters.rejectAll(new Error("stopped"));
    await expect(stopped).rejects.toThrow("stopped");
  });
});
