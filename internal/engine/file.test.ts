import { describe, expect, it } from "vitest";
import type { Inbound, PubAck } from "../bus/index.ts";
import { systemClock } from "../clock/index.ts";
import type { FileIdentity, FileLedger, Triggered } from "../files/index.ts";
import { buildSnapshot } from "../workflow/index.ts";
import { createEngine } from "./engine.ts";
import { EngineEvents } from "./events.ts";
import { maxFilesAtOnce } from "./file.ts";
import type { Outbox } from "./outbox.ts";

const snapshot = buildSnapshot("/wf", [
  { name: "f.toml", path: "/wf/f.toml", text: '[[phase]]\ntask = "load"\nrule = "files=gs://b/*.csv"\n' },
]);

function fileMessage(data: string) {
  const m = {
    data: new TextEncoder().encode(data),
    subject: "files",
    seq: 1,
    timestampNanos: 0n,
    redelivered: false,
    state: "new" as "new" | "acked" | "naked" | "termed",
    ack() {
      m.state = "acked";
    },
    nak() {
      m.state = "naked";
    },
    term() {
      m.state = "termed";
    },
  };
  return m satisfies Inbound;
}

/**
 * A ledger in memory; `failing` makes it throw like an unreachable KV bucket, for every file or for those whose path
 * it returns true for.
 */
function memoryLedger(failing: boolean | ((path: string) => boolean) = false) {
  const known = new Map<string, Triggered>();
  const key = (f: FileIdentity) => `${f.path}|${f.size}|${f.modified}`;
  const ledger: FileLedger = {
    async seen(f) {
      if (failing === true || (failing !== false && failing(f.path))) throw new Error("KV unreachable");
      return known.get(key(f)) ?? null;
    },
    async remember(f, t) {
      known.set(key(f), t);
    },
  };
  return { ledger, known };
}

function setup(ledger: FileLedger) {
  const sent: string[] = [];
  const outbox: Outbox = {
    publish: async (subject): Promise<PubAck> => {
      sent.push(subject);
      return { stream: "S", seq: sent.length, duplicate: false };
    },
  };
  const events = new EngineEvents();
  const engine = createEngine({
    outbox,
    subjects: { taskPrefix: "", failed: "", retry: "r" },
    clock: systemClock,
    host: "h",
    readMetaFile: () => [],
    events,
    ledger,
  });
  engine.setSnapshot(snapshot);
  return { engine, sent, events };
}

describe("file messages in the engine", () => {
  it("publishes the tasks, remembers the file, then acks; the same file again is a repeat", async () => {
    const { ledger, known } = memoryLedger();
    const { engine, sent, events } = setup(ledger);
    const statuses: string[] = [];
    events.on("fileArrived", (e) => statuses.push(e.status));
    const first = fileMessage('{"path":"gs://b/x.csv","size":3}');
    const again = fileMessage('{"path":"gs://b/x.csv","size":3}');
    engine.onFile(first);
    await engine.drain();
    engine.onFile(again);
    await engine.drain();
    expect(sent).toEqual(["load"]);
    expect([first.state, again.state]).toEqual(["acked", "acked"]);
    expect(statuses).toEqual(["triggered", "repeat"]);
    expect([...known.values()][0]?.tasks[0]).toMatch(/^load [0-9a-f-]{36}$/);
  });

  it("terminates a malformed message and reports why", async () => {
    const { engine, events } = setup(memoryLedger().ledger);
    const reasons: string[] = [];
    events.on("messageRejected", (e) => reasons.push(e.reason));
    const m = fileMessage('{"size": 3}');
    engine.onFile(m);
    await engine.drain();
    expect(m.state).toBe("termed");
    expect(reasons[0]).toMatch(/^no file in it/);
  });

  it("tries every file of a message before it comes back, and the redelivery triggers only the file left", async () => {
    let unreachable = true;
    const { ledger: memory, known } = memoryLedger((path) => unreachable && path.endsWith("y.csv"));
    // The other files' looks take a turn of the event loop: y.csv's failure comes first.
    const ledger: FileLedger = {
      seen: (f) => new Promise((resolve) => setImmediate(resolve)).then(() => memory.seen(f)),
      remember: (f, t) => memory.remember(f, t),
    };
    const { engine, sent, events } = setup(ledger);
    const arrived: string[] = [];
    events.on("fileArrived", (e) => arrived.push(`${e.file.path} ${e.status}`));
    const m = fileMessage('[{"path":"gs://b/x.csv"},{"path":"gs://b/y.csv"},{"path":"gs://b/z.csv"}]');
    let rememberedWhenNaked = -1;
    m.nak = () => {
      m.state = "naked";
      rememberedWhenNaked = known.size;
    };
    engine.onFile(m);
    await engine.drain();
    expect(m.state).toBe("naked");
    expect(rememberedWhenNaked).toBe(2);
    unreachable = false;
    m.state = "new";
    engine.onFile(m);
    await engine.drain();
    expect(m.state).toBe("acked");
    expect(sent).toEqual(["load", "load", "load"]);
    expect(arrived.sort()).toEqual([
      "gs://b/x.csv repeat",
      "gs://b/x.csv triggered",
      "gs://b/y.csv triggered",
      "gs://b/z.csv repeat",
      "gs://b/z.csv triggered",
    ]);
  });

  it("works on at most maxFilesAtOnce files at once, across messages, and on every file in the end", async () => {
    const { ledger: memory, known } = memoryLedger();
    let looking = 0;
    let most = 0;
    const held: (() => void)[] = [];
    // Each look waits until the test lets it go, so the files being worked on pile up.
    const ledger: FileLedger = {
      seen: async (f) => {
        looking++;
        most = Math.max(most, looking);
        await new Promise<void>((resolve) => held.push(resolve));
        looking--;
        return memory.seen(f);
      },
      remember: (f, t) => memory.remember(f, t),
    };
    const { engine, sent } = setup(ledger);
    // Three messages that announce half as many files as may be worked on at once each.
    const each = Math.ceil(maxFilesAtOnce / 2);
    const message = (m: number) =>
      fileMessage(
        JSON.stringify(Array.from({ length: each }, (_, i) => ({ path: `gs://b/m${m}-${i}.csv` }))),
      );
    const messages = [message(0), message(1), message(2)];
    for (const m of messages) engine.onFile(m);
    const drained = engine.drain();
    while (known.size < 3 * each) {
      await new Promise((r) => setImmediate(r));
      for (const release of held.splice(0)) release();
    }
    await drained;
    expect(most).toBe(maxFilesAtOnce);
    expect(sent).toHaveLength(3 * each);
    expect(messages.map((m) => m.state)).toEqual(["acked", "acked", "acked"]);
  });

  it("leaves the message for redelivery when the ledger cannot be read", async () => {
    const { engine, sent, events } = setup(memoryLedger(true).ledger);
    const errors: string[] = [];
    events.on("error", (e) => errors.push(e.error.message));
    const m = fileMessage('{"path":"gs://b/y.csv"}');
    engine.onFile(m);
    await engine.drain();
    expect(m.state).toBe("naked");
    expect(sent).toEqual([]);
    expect(errors).toEqual(["KV unreachable"]);
  });
});
