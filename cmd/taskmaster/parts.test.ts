import { describe, expect, it } from "vitest";
import { startingParts } from "./parts.ts";

describe("a role's parts", () => {
  it("stops the parts in reverse order, once, and goes on past a stop that fails", async () => {
    const seen: string[] = [];
    const failed: string[] = [];
    const parts = startingParts((name, error) => failed.push(`${name}: ${error.message}`));
    await parts.start(
      "nats",
      () => "nc",
      (nc) => void seen.push(`stop nats (${nc})`),
    );
    await parts.start(
      "history",
      async () => 2,
      () => {
        throw new Error("disk gone");
      },
    );
    await parts.start(
      "http",
      () => undefined,
      () => void seen.push("stop http"),
    );
    await Promise.all([parts.stop(), parts.stop()]);
    expect(seen).toEqual(["stop http", "stop nats (nc)"]);
    expect(failed).toEqual(["history: disk gone"]);
  });

  it("leaves a part that failed to start out, and refuses to start one while stopping", async () => {
    const seen: string[] = [];
    const parts = startingParts(() => undefined);
    await parts.start(
      "nats",
      () => 1,
      () => void seen.push("stop nats"),
    );
    await expect(
      parts.start(
        "history",
        () => Promise.reject(new Error("no file")),
        () => void seen.push("stop history"),
      ),
    ).rejects.toThrow("no file");
    await parts.stop();
    expect(seen).toEqual(["stop nats"]);
    await expect(
      parts.start(
        "late",
        () => 1,
        () => undefined,
      ),
    ).rejects.toThrow("late: not started");
  });
});
