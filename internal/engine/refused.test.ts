// Messages whose consequences can never be published: refused whole before anything goes out, or refused by the
// server for good; either way the message is terminated and reported, and the engine goes on.
import { describe, expect, it } from "vitest";
import { type Inbound, type PubAck, PublishRefusedError } from "../bus/index.ts";
import { systemClock } from "../clock/index.ts";
import { type Result, taskJson } from "../task/index.ts";
import { buildSnapshot } from "../workflow/index.ts";
import { createEngine } from "./engine.ts";
import type { Outbox } from "./outbox.ts";

const snapshot = buildSnapshot("/wf", [
  {
    name: "w.toml",
    path: "/wf/w.toml",
    text: [
      '[[phase]]\ntask = "p"\nrule = "cron=@daily&retry_delay=1h"\nretry = 1\n',
      // Three small children and one large one.
      `[[phase]]\ntask = "c"\ndependsOn = "p"\nrule = "meta=i:1,2,3,${"x".repeat(2000)}"\ntemplate = "{meta:i}"\n`,
    ].join("\n"),
  },
]);
const subjects = { taskPrefix: "", failed: "", retry: "r" };

interface Delivered extends Inbound {
  readonly outcome: string[];
}

function delivered(id: string, result: Result, info = ""): Delivered {
  const outcome: string[] = [];
  const data = new TextEncoder().encode(
    taskJson({ type: "p", info, id, created: "2024-01-15T00:00:00Z", result, meta: "workflow=w.toml" }),
  );
  return {
    data,
    subject: "done",
    seq: 7,
    timestampNanos: 0n,
    redelivered: false,
    outcome,
    ack: () => outcome.push("ack"),
    nak: () => outcome.push("nak"),
    term: () => outcome.push("term"),
  };
}

/** An outbox with a payload limit that stores everything at once, or fails as `fail` says. */
function outbox(maxPayload: number, fail?: (subject: string) => Error | undefined) {
  const stored: string[] = [];
  const box: Outbox = {
    maxPayload,
    async publish(subject): Promise<PubAck> {
      const err = fail?.(subject);
      if (err) throw err;
      stored.push(subject);
      return { stream: "S", seq: stored.length, duplicate: false };
    },
  };
  return { box, stored };
}

function engineWith(box: Outbox) {
  const engine = createEngine({
    outbox: box,
    subjects,
    clock: systemClock,
    host: "h",
    readMetaFile: () => [],
  });
  engine.setSnapshot(snapshot);
  const seen: string[] = [];
  engine.events.on("messageRejected", (e) => seen.push(`rejected ${e.subject}: ${e.reason}`));
  engine.events.on("error", (e) => seen.push(`error ${e.where}: ${e.error.message}`));
  return { engine, seen };
}

describe("a plan with a message over the payload limit", () => {
  it("publishes nothing of it, terminates the done message with the reason, and goes on with the next", async () => {
    const { box, stored } = outbox(1000);
    const { engine, seen } = engineWith(box);
    const parent = delivered("big-children", "complete");
    engine.onDone(parent);
    await engine.drain();
    expect(stored).toEqual([]);
    expect(parent.outcome).toEqual(["term"]);
    expect(seen).toEqual([
      expect.stringMatching(
        /^rejected done: the child of c \(id big-children\) would be \d+ bytes, over the 1000 bytes NATS takes \(max_payload\); nothing of it was published$/,
      ),
    ]);
    const next = delivered("small-retry", "error");
    engine.onDone(next);
    await engine.drain();
    expect(stored).toEqual(["r"]);
    expect(next.outcome).toEqual(["ack"]);
    expect(engine.inFlight).toBe(0);
  });

  it("refuses a retry whose record would be over the limit, though its done message was not", async () => {
    const { box, stored } = outbox(600);
    const { engine, seen } = engineWith(box);
    const failed = delivered("r1", "error", "y".repeat(300));
    expect(failed.data.length).toBeLessThan(600);
    engine.onDone(failed);
    await engine.drain();
    expect(stored).toEqual([]);
    expect(failed.outcome).toEqual(["term"]);
    expect(seen).toEqual([expect.stringMatching(/^rejected done: the retry record of p \(id r1\) would be/)]);
  });
});

describe("a publish refused for good", () => {
  it("terminates its message and reports why, where a passing failure naks it for redelivery", async () => {
    const { box } = outbox(1_000_000, (subject) =>
      subject === "r"
        ? new PublishRefusedError(
            subject,
            "the stream answered message size exceeds maximum allowed (400, 10054)",
          )
        : new Error("connection is closed"),
    );
    const { engine, seen } = engineWith(box);
    const refused = delivered("a", "error");
    const passing = delivered("b", "complete");
    engine.onDone(refused);
    engine.onDone(passing);
    await engine.drain();
    expect(refused.outcome).toEqual(["term"]);
    expect(passing.outcome).toEqual(["nak"]);
    expect(seen).toEqual([
      "rejected done: publish to r refused for good: the stream answered message size exceeds maximum allowed (400, 10054)",
      "error done: connection is closed",
    ]);
  });
});
