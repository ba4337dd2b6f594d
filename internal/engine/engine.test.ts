import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Inbound, PubAck } from "../bus/index.ts";
import { systemClock } from "../clock/index.ts";
import { parseTask, taskJson } from "../task/index.ts";
import { buildSnapshot, loadMetaFile, type Phase, readMetaFile } from "../workflow/index.ts";
import { createEngine } from "./engine.ts";
import type { Outbox } from "./outbox.ts";

/** An outbox whose acks the test releases by hand. */
function heldOutbox() {
  const held: { subject: string; resolve: (a: PubAck) => void }[] = [];
  let seq = 0;
  const outbox: Outbox = {
    publish: (subject) =>
      new Promise<PubAck>((resolve) =>
        held.push({ subject, resolve: () => resolve({ stream: "S", seq: ++seq, duplicate: false }) }),
      ),
    get inFlight() {
      return held.length;
    },
  };
  const releaseAll = () => {
    for (const h of held.splice(0)) h.resolve({ stream: "S", seq: 0, duplicate: false });
  };
  return { outbox, held, releaseAll };
}

function message(id: string): Inbound & { acked: boolean } {
  const data = new TextEncoder().encode(
    taskJson({
      type: "p",
      info: "",
      id,
      created: "2024-01-15T00:00:00Z",
      result: "complete",
      meta: "workflow=w.toml",
    }),
  );
  const m = {
    data,
    subject: "done",
    seq: 1,
    timestampNanos: 0n,
    redelivered: false,
    acked: false,
    ack() {
      m.acked = true;
    },
    nak() {},
    term() {},
  };
  return m;
}

const snapshot = buildSnapshot("/wf", [
  {
    name: "w.toml",
    path: "/wf/w.toml",
    text: '[[phase]]\ntask = "p"\nrule = "cron=@daily"\n\n[[phase]]\ntask = "c"\ndependsOn = "p"\nrule = "meta=i:1,2,3,4"\ntemplate = "{meta:i}"\n',
  },
]);

const subjects = { taskPrefix: "", failed: "", retry: "r" };
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("engine", () => {
  it("acks a done message only after every task it caused is stored", async () => {
    const { outbox, held, releaseAll } = heldOutbox();
    const engine = createEngine({ outbox, subjects, clock: systemClock, host: "h", readMetaFile: () => [] });
    engine.setSnapshot(snapshot);
    const m = message("a");
    engine.onDone(m);
    await settle();
    expect(held.map((h) => h.subject)).toEqual(["c", "c", "c", "c"]);
    expect(m.acked).toBe(false);
    releaseAll();
    await engine.drain();
    expect(m.acked).toBe(true);
  });

  it("plans each done message with the snapshot and the time of its own moment", async () => {
    const stored: { subject: string; created: string }[] = [];
    const outbox: Outbox = {
      publish: async (subject, data) => {
        stored.push({ subject, created: parseTask(data).created ?? "" });
        return { stream: "S", seq: stored.length, duplicate: false };
      },
    };
    let now = new Date("2024-01-15T10:00:00.000Z");
    const clock = { now: () => new Date(now), setTimer: () => () => {} };
    const engine = createEngine({ outbox, subjects, clock, host: "h", readMetaFile: () => [] });
    engine.setSnapshot(snapshot);
    engine.onDone(message("a"));
    await engine.drain();
    // A reload in the same millisecond: the next message already follows the new workflows.
    engine.setSnapshot(
      buildSnapshot("/wf", [
        {
          name: "w.toml",
          path: "/wf/w.toml",
          text: '[[phase]]\ntask = "p"\nrule = "cron=@daily"\n\n[[phase]]\ntask = "d"\ndependsOn = "p"\n',
        },
      ]),
    );
    engine.onDone(message("b"));
    await engine.drain();
    now = new Date("2024-01-15T10:00:01.000Z");
    engine.onDone(message("c"));
    await engine.drain();
    expect(stored).toEqual([
      ...Array.from({ length: 4 }, () => ({ subject: "c", created: "2024-01-15T10:00:00Z" })),
      { subject: "d", created: "2024-01-15T10:00:00Z" },
      { subject: "d", created: "2024-01-15T10:00:01Z" },
    ]);
  });

  it("naks a done message whose publish throws at once, reports it, and takes the next one", async () => {
    const { outbox, held, releaseAll } = heldOutbox();
    let broken = true;
    const flaky: Outbox = {
      publish(subject, data, msgId) {
        if (broken) throw new Error("connection is closed");
        return outbox.publish(subject, data, msgId);
      },
    };
    const engine = createEngine({
      outbox: flaky,
      subjects,
      clock: systemClock,
      host: "h",
      readMetaFile: () => [],
    });
    engine.setSnapshot(snapshot);
    const errors: string[] = [];
    engine.events.on("error", (e) => errors.push(`${e.where}: ${e.error.message}`));
    const first = { ...message("a"), naked: 0 };
    first.nak = () => {
      first.naked++;
    };
    expect(() => engine.onDone(first)).not.toThrow();
    await engine.drain();
    expect(errors).toEqual(["done: connection is closed"]);
    expect(first.naked).toBe(1);
    broken = false;
    const second = message("b");
    engine.onDone(second);
    await settle();
    expect(held).toHaveLength(4);
    releaseAll();
    await engine.drain();
    expect(second.acked).toBe(true);
  });

  it("holds back new done messages while too many publishes await acks, and drains them in order", async () => {
    const { outbox, held, releaseAll } = heldOutbox();
    const engine = createEngine({
      outbox,
      subjects,
      clock: systemClock,
      host: "h",
      readMetaFile: () => [],
      maxActive: 10,
      maxPublishing: 6,
    });
    engine.setSnapshot(snapshot);
    const messages = ["a", "b", "c", "d"].map(message);
    for (const m of messages) engine.onDone(m);
    await settle();
    // Two messages (8 publishes) started; the limit of 6 in flight holds the other two back.
    expect(held).toHaveLength(8);
    expect(engine.inFlight).toBe(4);
    releaseAll();
    await settle();
    await settle();
    expect(held).toHaveLength(8);
    releaseAll();
    await engine.drain();
    expect(messages.every((m) => m.acked)).toBe(true);
  });

  it("tells a taskDone listener whether the done message was delivered before, reading it only when asked", async () => {
    const { outbox, releaseAll } = heldOutbox();
    const engine = createEngine({ outbox, subjects, clock: systemClock, host: "h", readMetaFile: () => [] });
    engine.setSnapshot(snapshot);
    let reads = 0;
    const again = Object.defineProperty(message("again"), "redelivered", {
      get: () => {
        reads++;
        return true;
      },
    });
    const seen: boolean[] = [];
    const off = engine.events.on("taskDone", () => undefined);
    engine.onDone(again);
    await settle();
    expect(reads).toBe(0); // nobody asked
    off();
    engine.events.on("taskDone", (e) => seen.push(e.redelivered));
    engine.onDone(message("first"));
    engine.onDone(again);
    await settle();
    releaseAll();
    await engine.drain();
    expect(seen).toEqual([false, true]);
  });

  it("reads a cron phase's meta-file glob without blocking before it plans the slot, and alerts when it cannot", async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmaster-engine-meta-"));
    try {
      for (let d = 0; d < 200; d++) {
        mkdirSync(join(dir, "in", `d${d}`), { recursive: true });
        for (let f = 0; f < 5; f++)
          writeFileSync(join(dir, "in", `d${d}`, `${f}.json`), `{"n":"${d}-${f}"}\n`);
      }
      const text = (glob: string) =>
        `[[phase]]\ntask = "batch"\nrule = "cron=@daily&meta-file=${join(dir, glob)}"\ntemplate = "?n={meta:n}"\n`;
      const set = buildSnapshot("/wf", [
        { name: "a.toml", path: "/wf/a.toml", text: text("in/**/*.json") },
        { name: "b.toml", path: "/wf/b.toml", text: text("none/*.json") },
      ]);
      let turns = 0;
      let turnsAtFirstPublish = -1;
      const outbox: Outbox = {
        publish: async () => {
          if (turnsAtFirstPublish < 0) turnsAtFirstPublish = turns;
          return { stream: "S", seq: 1, duplicate: false };
        },
        inFlight: 0,
      };
      const engine = createEngine({
        outbox,
        subjects,
        clock: systemClock,
        host: "h",
        readMetaFile: (pattern) => readMetaFile(pattern, "/"),
        // Read ahead as the service does: the glob walked without blocking, a failed read handed to the plan.
        metaFiles: {
          load: async (patterns) =>
            new Map(
              await Promise.all(
                patterns.map(
                  async (p) => [p, await loadMetaFile(p, "/").catch((err: Error) => err)] as const,
                ),
              ),
            ),
        },
      });
      engine.setSnapshot(set);
      let counting = true;
      const turn = () => {
        if (!counting) return;
        turns++;
        setImmediate(turn);
      };
      setImmediate(turn);
      const [batch, missing] = set.phases;
      expect(await engine.fireCron(batch as Phase, new Date("2024-01-15T00:00:00Z"))).toBe(1000);
      counting = false;
      // A synchronous walk would have planned the slot before the loop turned once.
      expect(turnsAtFirstPublish).toBeGreaterThan(100);
      const alerts: string[] = [];
      engine.events.on("alertRaised", (e) => alerts.push(e.alert.message));
      expect(await engine.fireCron(missing as Phase, new Date("2024-01-15T00:00:00Z"))).toBe(0);
      expect(alerts).toEqual([
        `batch for b.toml: batch at 2024-01-15T00 failed: no files found for ${join(dir, "none/*.json")}`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
