import { describe, expect, it } from "vitest";
import { compose, Parts, StopError } from "./parts.ts";

describe("parts", () => {
  it("stops the parts the last started first, once however often stop is called", async () => {
    const stopped: string[] = [];
    const parts = new Parts();
    for (const name of ["connection", "engine", "scheduler"])
      parts.add(name, name, (p) => void stopped.push(p));
    await Promise.all([parts.stop(), parts.stop()]);
    await parts.stop();
    expect(stopped).toEqual(["scheduler", "engine", "connection"]);
  });

  it("waits for each stop before the next", async () => {
    const stopped: string[] = [];
    const parts = new Parts();
    parts.add("connection", null, () => void stopped.push("connection"));
    parts.add("intake", null, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      stopped.push("intake");
    });
    await parts.stop();
    expect(stopped).toEqual(["intake", "connection"]);
  });

  it("stops every part when one fails, and rejects with that failure", async () => {
    const stopped: string[] = [];
    const parts = new Parts();
    parts.add("connection", null, () => void stopped.push("connection"));
    parts.add("scheduler", null, () => {
      throw new Error("timer gone");
    });
    parts.add("intake", null, () => void stopped.push("intake"));
    await expect(parts.stop()).rejects.toThrow("timer gone");
    expect(stopped).toEqual(["intake", "connection"]);
  });

  it("names every part whose stop failed when several did", async () => {
    const parts = new Parts();
    parts.add("a", null, () => Promise.reject(new Error("first")));
    parts.add("b", null, () => Promise.reject(new Error("second")));
    const err = await parts.stop().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StopError);
    expect((err as Error).message).toBe("b: second; a: first");
  });

  it("refuses a part added once stopping began", async () => {
    const parts = new Parts();
    await parts.stop();
    expect(() => parts.add("late", null, () => {})).toThrow("late: started after the parts were stopped");
  });
});

describe("compose", () => {
  it("returns what the build made, with its parts running", async () => {
    const stopped: string[] = [];
    const made = await compose(async (parts) => {
      parts.add("connection", null, () => void stopped.push("connection"));
      return { stop: () => parts.stop() };
    });
    expect(stopped).toEqual([]);
    await made.stop();
    expect(stopped).toEqual(["connection"]);
  });

  it("stops what had started when a later part fails to start, and rethrows its error", async () => {
    const stopped: string[] = [];
    const failure = compose(async (parts) => {
      parts.add("connection", null, () => void stopped.push("connection"));
      parts.add("scheduler", null, () => void stopped.push("scheduler"));
      throw new Error("the instances bucket cannot be written");
    });
    await expect(failure).rejects.toThrow("the instances bucket cannot be written");
    expect(stopped).toEqual(["scheduler", "connection"]);
  });

  it("says so when stopping after a failed start fails too", async () => {
    const failure = compose(async (parts) => {
      parts.add("connection", null, () => Promise.reject(new Error("not drained")));
      throw new Error("bucket refused");
    });
    await expect(failure).rejects.toThrow(
      "bucket refused (and stopping what had started failed: not drained)",
    );
  });
});
