// The engine's journal: what is recorded for a done message, when, and what a message refused for good leaves.
import { describe, expect, it } from "vitest";
import { type Inbound, type PubAck, PublishRefusedError } from "../bus/index.ts";
import { manualClock } from "../clock/index.ts";
import { decodeEntry } from "../journal/index.ts";
import { type Result, taskJson } from "../task/index.ts";
import { buildSnapshot } from "../workflow/index.ts";
import { createEngine } from "./engine.ts";
import { publishingJournal } from "./journal.ts";
import type { Outbox } from "./outbox.ts";

const snapshot = buildSnapshot("/wf", [
  {
    name: "w.toml",
    path: "/wf/w.toml",
    text: [
      '[[phase]]\ntask = "p"\nrule = "cron=@daily"\n',
      '[[phase]]\ntask = "c"\ndependsOn = "p"\n',
      '[[phase]]\ntask = "load"\nrule = "files=/in/*.csv"\n',
    ].join("\n"),
  },
]);

/** An outbox that holds every publish until the test releases it, or refuses those `refuse` names. */
function heldOutbox(refuse: (subject: string) => boolean = () => false) {
  const held: { subject: string; data: Uint8Array; release: () => void }[] = [];
  /** Every publish, in order. */
  const sent: { subject: string; data: Uint8Array }[] = [];
  const outbox: Outbox = {
    maxPayload: 4096,
    publish(subject, data) {
      sent.push({ subject, data });
      if (refuse(subject)) return Promise.reject(new PublishRefusedError(subject, "not permitted"));
      return new Promise<PubAck>((resolve) =>
        held.push({ subject, data, release: () => resolve({ stream: "S", seq: 1, duplicate: false }) }),
      );
    },
  };
  const releaseAll = async () => {
    while (held.length > 0) {
      for (const h of held.splice(0)) h.release();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { outbox, held, sent, releaseAll };
}

function delivered(data: string, seq = 1): Inbound & { outcome: string[] } {
  const outcome: string[] = [];
  return {
    data: new TextEncoder().encode(data),
    subject: "done",
    seq,
    timestampNanos: 0n,
    redelivered: false,
    outcome,
    ack: () => outcome.push("ack"),
    nak: () => outcome.push("nak"),
    term: () => outcome.push("term"),
  };
}

const done = (result: Result, type = "p") =>
  taskJson({
    type,
    info: "",
    id: "t1",
    created: "2024-01-15T00:00:00Z",
    result,
    msg: "look",
    meta: "workflow=w.toml",
  });

function engineWith(outbox: Outbox) {
  const clock = manualClock(Date.parse("2026-12-07T10:00:00Z"));
  const engine = createEngine({
    outbox,
    subjects: { taskPrefix: "", failed: "retry-failed", retry: "r" },
    clock,
    host: "h",
    readMetaFile: () => [],
    journal: publishingJournal(outbox, clock),
  });
  engine.setSnapshot(snapshot);
  return engine;
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("the engine's journal", () => {
  it("records a done message's alert beside its failed copy, and acks only once both are stored", async () => {
    const { outbox, held, releaseAll } = heldOutbox();
    const engine = engineWith(outbox);
    const msg = delivered(done("error"));
    engine.onDone(msg);
    await settle();
    expect(held.map((h) => h.subject)).toEqual(["retry-failed", "taskmaster.events.alert"]);
    expect(decodeEntry(held[1]?.data ?? new Uint8Array())).toMatchObject({
      at: "2026-12-07T10:00:00.000Z",
      kind: "retries-exhausted",
      task: { id: "t1", type: "p" },
      message: "p failed after 0 retries: look",
    });
    held[0]?.release();
    await settle();
    expect(msg.outcome).toEqual([]);
    await releaseAll();
    await engine.drain();
    expect(msg.outcome).toEqual(["ack"]);
  });

  it("records nothing more for a done message that raises no alert", async () => {
    const { outbox, held, releaseAll } = heldOutbox();
    const engine = engineWith(outbox);
    const msg = delivered(done("complete"));
    engine.onDone(msg);
    await settle();
    expect(held.map((h) => h.subject)).toEqual(["c"]);
    await releaseAll();
    await engine.drain();
    expect(msg.outcome).toEqual(["ack"]);
  });

  it("records a message that is no task before it terminates it", async () => {
    const { outbox, held, releaseAll } = heldOutbox();
    const engine = engineWith(outbox);
    const msg = delivered("{nope", 7);
    engine.onDone(msg);
    await settle();
    expect(held.map((h) => h.subject)).toEqual(["taskmaster.events.rejected"]);
    expect(decodeEntry(held[0]?.data ?? new Uint8Array())).toMatchObject({ subject: "done", data: "{nope" });
    expect(msg.outcome).toEqual([]);
    await releaseAll();
    await engine.drain();
    expect(msg.outcome).toEqual(["term"]);
  });

  it("terminates a message refused for good though the events stream refuses its entry too", async () => {
    const { outbox } = heldOutbox(() => true);
    const engine = engineWith(outbox);
    const errors: string[] = [];
    engine.events.on("error", (e) => errors.push(`${e.where}: ${e.error.message}`));
    const msg = delivered(done("complete"));
    engine.onDone(msg);
    await engine.drain();
    expect(msg.outcome).toEqual(["term"]);
    expect(errors).toEqual([
      "journal: publish to taskmaster.events.rejected refused for good: not permitted",
    ]);
  });

  it("records what a file did once its tasks are stored and before the ack; and why a file did nothing", async () => {
    const { outbox, held, sent, releaseAll } = heldOutbox();
    const engine = engineWith(outbox);
    const matched = delivered('{"path":"/in/a.csv","size":1}', 3);
    engine.onFile(matched);
    await settle();
    expect(sent.map((m) => m.subject)).toEqual(["load"]);
    held[0]?.release();
    await settle();
    expect(sent.map((m) => m.subject)).toEqual(["load", "taskmaster.events.file"]);
    expect(matched.outcome).toEqual([]);
    await releaseAll();
    await engine.drain();
    expect(matched.outcome).toEqual(["ack"]);

    const unmatched = delivered('{"path":"/elsewhere/b.txt","size":2}', 4);
    engine.onFile(unmatched);
    await settle();
    await releaseAll();
    await engine.drain();
    expect(unmatched.outcome).toEqual(["ack"]);
    const entries = sent
      .filter((m) => m.subject === "taskmaster.events.file")
      .map((m) => decodeEntry(m.data));
    expect(entries).toEqual([
      expect.objectContaining({
        path: "/in/a.csv",
        status: "triggered",
        tasks: [
          expect.objectContaining({ name: "load", subject: "load", workflow: "w.toml", phase: "load" }),
        ],
        reason: "",
      }),
      expect.objectContaining({
        path: "/elsewhere/b.txt",
        status: "unmatched",
        tasks: [],
        reason: 'no match found for "/elsewhere/b.txt"',
      }),
    ]);
  });
});
