import { describe, expect, it } from "vitest";
import { Fifo } from "./fifo.ts";

describe("Fifo", () => {
  it("gives items back in the order they came, across growing and shrinking", () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    // Interleaved so the ring wraps before it grows: 3 in, 1 out, up to 10 000 waiting.
    let next = 0;
    while (next < 15_000) {
      for (let k = 0; k < 3; k++) q.push(next++);
      out.push(q.shift() as number);
    }
    expect(q.size).toBe(10_000);
    while (q.size > 0) out.push(q.shift() as number);
    expect(out).toEqual(Array.from({ length: 15_000 }, (_, i) => i));
    expect(q.shift()).toBeUndefined();
    expect(q.size).toBe(0);
  });

  it("keeps order when one item comes for each that goes", () => {
    const q = new Fifo<string>();
    q.push("first");
    let previous = "first";
    for (let i = 0; i < 1000; i++) {
      q.push(`item ${i}`);
      expect(q.shift()).toBe(previous);
      previous = `item ${i}`;
    }
    expect(q.size).toBe(1);
    expect(q.shift()).toBe("item 999");
  });
});
