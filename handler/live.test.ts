// The live events (`GET /api/v1/events`) through `app.request()`: changes coalesced into few messages, a client
// that does not read dropped once its buffer is full, a cap on clients, and one subscription for all of them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryFile } from "../test/helpers/records.ts";
import { waitFor } from "../test/helpers/wait.ts";
import { historyOf, oneRunStore, testApp } from "./fixture.ts";
import type { LiveChange, LiveLimits } from "./live.ts";

let store: HistoryFile;
let close: () => void;
beforeAll(async () => {
  ({ store, close } = oneRunStore());
});
afterAll(() => close());

/** The app with a source of changes the test drives. */
function live(limits: Partial<LiveLimits> = {}) {
  const listeners = new Set<(change: LiveChange) => void>();
  const subscribe = (listener: (change: LiveChange) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  const emit = (change: LiveChange) => {
    for (const listener of listeners) listener(change);
  };
  const app = testApp(historyOf(store), { subscribe, live: limits });
  const connect = () => app.request("/api/v1/events", { headers: { Authorization: "Bearer r-token" } });
  return { listeners, emit, connect };
}

/** Reads a stream's server-sent messages as they come. */
function messages(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  return {
    reader,
    async next(): Promise<string> {
      for (;;) {
        const end = text.indexOf("\n\n");
        if (end >= 0) {
          const message = text.slice(0, end);
          text = text.slice(end + 2);
          return message;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("the stream ended");
        text += decoder.decode(value, { stream: true });
      }
    },
  };
}

const data = (message: string) => JSON.parse(message.replace(/^event: change\ndata: /, "")) as unknown;

describe("the live events", () => {
  it("gather the changes of a short window into one message: a task's latest state once, files and alerts once", async () => {
    const { emit, connect } = live();
    const r = await connect();
    expect(r.headers.get("content-type")).toBe("text/event-stream");
    const stream = messages(r);
    emit({ kind: "task", id: "a", result: "" });
    emit({ kind: "file" });
    emit({ kind: "task", id: "b", result: "" });
    emit({ kind: "task", id: "a", result: "complete" });
    emit({ kind: "file" });
    emit({ kind: "alert" });
    const first = await stream.next();
    expect(first).toMatch(/^event: change\ndata: /);
    expect(data(first)).toEqual({
      changes: [
        { kind: "task", id: "a", result: "complete" },
        { kind: "task", id: "b", result: "" },
        { kind: "file" },
        { kind: "alert" },
      ],
      more: 0,
    });
    // A burst: a hundred tasks listed, the rest counted.
    for (let i = 0; i < 1000; i++) emit({ kind: "task", id: `t${i}`, result: "" });
    const burst = data(await stream.next()) as { changes: LiveChange[]; more: number };
    expect(burst.changes).toHaveLength(100);
    expect(burst.more).toBe(900);
    await stream.reader.cancel();
  });

  it("drop a client that does not read once its buffer is full, and go on serving one that reads", async () => {
    const { emit, connect } = live({ bufferBytes: 4096, windowMs: 5 });
    const reading = messages(await connect());
    const idle = (await connect()).body as ReadableStream<Uint8Array>;
    // Each round is one message of about 600 bytes: the idle client's buffer is full after about seven.
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 10; i++) emit({ kind: "task", id: `round-${round}-task-${i}`, result: "complete" });
      expect(await reading.next()).toContain(`round-${round}-task-9`);
    }
    await expect(idle.getReader().read()).rejects.toThrow(
      "dropped: more than 4096 bytes of events waited unread",
    );
    emit({ kind: "alert" });
    expect(data(await reading.next())).toEqual({ changes: [{ kind: "alert" }], more: 0 });
    await reading.reader.cancel();
  });

  it("answer 503 with a message past the client cap, and serve again once a client leaves", async () => {
    const { connect } = live({ maxClients: 2 });
    const first = await connect();
    const second = await connect();
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await connect();
    expect(third.status).toBe(503);
    expect(await third.json()).toEqual({
      error: "too many clients follow the live events (2 at most): try again later",
    });
    await first.body?.cancel();
    const again = await connect();
    expect(again.status).toBe(200);
    await Promise.all([second.body?.cancel(), again.body?.cancel()]);
  });

  it("subscribe once for all their clients, and not at all while nobody listens", async () => {
    const { listeners, connect } = live();
    expect(listeners.size).toBe(0);
    const clients = await Promise.all([connect(), connect(), connect()]);
    expect(listeners.size).toBe(1);
    await Promise.all(clients.map((c) => c.body?.cancel()));
    await waitFor(() => listeners.size === 0);
  });
});
