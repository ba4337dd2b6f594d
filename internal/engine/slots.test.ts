import { describe, expect, it } from "vitest";
import { Slots } from "./slots.ts";

describe("Slots", () => {
  it("runs at most its size at once, the rest in the order they came, each slot freed however work ends", async () => {
    const slots = new Slots(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const work = (i: number) => () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      return new Promise<number>((resolve, reject) => {
        releases[i] = () => {
          running--;
          if (i === 1) reject(new Error("work 1 failed"));
          else resolve(i);
        };
      });
    };
    const results = [0, 1, 2, 3, 4].map((i) => slots.run(work(i)));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    releases[1]?.();
    await expect(results[1]).rejects.toThrow("work 1 failed");
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    for (const i of [0, 2, 3, 4]) {
      await new Promise((r) => setImmediate(r));
      releases[i]?.();
    }
    expect(await Promise.all([results[0], results[2], results[3], results[4]])).toEqual([0, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });
});
