import { describe, expect, it } from "vitest";
import { DoneHold } from "./pairing.ts";

/** A message stored at `ms`, with `pending` more of its stream after it. */
const msg = (name: string, ms: number, pending = 5) => ({
  name,
  info: { timestampNanos: ms * 1e6, pending },
});
const names = (ms: readonly { name: string }[]) => ms.map((m) => m.name);

describe("done messages held until their tasks are read", () => {
  it("lets a done through once a task stored at or after it was read, in the order read", () => {
    const hold = new DoneHold<ReturnType<typeof msg>>(100);
    expect(names(hold.task(msg("t1", 10)))).toEqual([]);
    expect(names(hold.done(msg("d1", 9)))).toEqual(["d1"]);
    expect(names(hold.done(msg("d2", 12)))).toEqual([]);
    expect(names(hold.done(msg("d3", 11)))).toEqual([]);
    expect(hold.size).toBe(2);
    expect(names(hold.task(msg("t2", 11)))).toEqual([]); // d2 (12) is first: the order is kept
    expect(names(hold.task(msg("t3", 12)))).toEqual(["d2", "d3"]);
    expect(hold.size).toBe(0);
  });

  it("lets every done through once the tasks stream is read to its end", () => {
    const hold = new DoneHold<ReturnType<typeof msg>>(100);
    hold.task(msg("t1", 10, 3));
    expect(names(hold.done(msg("d1", 20)))).toEqual([]);
    expect(names(hold.task(msg("t2", 11, 0)))).toEqual(["d1"]);
    expect(names(hold.done(msg("d2", 30)))).toEqual(["d2"]);
    const idle = new DoneHold<ReturnType<typeof msg>>(100);
    expect(names(idle.done(msg("d1", 5)))).toEqual([]);
    expect(names(idle.tasksAtEnd(true))).toEqual(["d1"]);
  });

  it("holds no more than its bound: past it the oldest go on without their tasks", () => {
    const hold = new DoneHold<ReturnType<typeof msg>>(2);
    expect(names(hold.done(msg("d1", 1)))).toEqual([]);
    expect(names(hold.done(msg("d2", 2)))).toEqual([]);
    expect(names(hold.done(msg("d3", 3)))).toEqual(["d1"]);
    expect(hold.size).toBe(2);
  });

  it("forgets what it held when the reading starts again", () => {
    const hold = new DoneHold<ReturnType<typeof msg>>(10);
    hold.done(msg("d1", 1));
    hold.clear();
    expect(hold.size).toBe(0);
    expect(names(hold.tasksAtEnd(true))).toEqual([]);
  });
});
