import { describe, expect, it } from "vitest";
import { rejected } from "../../test/helpers/records.ts";
import { type CacheOp, OpQueue } from "./queue.ts";

const op = (n: number): CacheOp => ({ op: "rejected", record: rejected({ data: String(n) }) });
const data = (ops: CacheOp[]) => ops.map((o) => (o.op === "rejected" ? o.record.data : "?"));

describe("op queue", () => {
  it("peeks without removing, and discards what was written", () => {
    const q = new OpQueue(10);
    for (let i = 0; i < 5; i++) q.push(op(i));
    expect(data(q.peek(3))).toEqual(["0", "1", "2"]);
    expect(q.size).toBe(5);
    q.discard(3);
    expect(data(q.peek(10))).toEqual(["3", "4"]);
  });

  it("drops the oldest beyond its capacity and counts them", () => {
    const q = new OpQueue(3);
    for (let i = 0; i < 5000; i++) q.push(op(i));
    expect(q.size).toBe(3);
    expect(q.dropped).toBe(4997);
    expect(data(q.peek(5))).toEqual(["4997", "4998", "4999"]);
    q.discard(5);
    expect(q.size).toBe(0);
  });
});
