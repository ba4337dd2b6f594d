import { afterEach, describe, expect, it } from "vitest";
import { type ManualClock, manualClock } from "../clock/index.ts";
import { EngineEvents } from "../engine/index.ts";
import type { Task } from "../task/index.ts";
import type { SlackMessage } from "./blocks.ts";
import type { AlertItem } from "./digest.ts";
import { type AlertService, type AlertStore, type DigestCursor, startAlerts } from "./service.ts";

const minute = 60_000;
let service: AlertService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

const clock = () => manualClock(Date.UTC(2026, 10, 23, 12, 0, 0));

function memoryStore(unfinished: Task[] = []): AlertStore & { recorded: AlertItem[] } {
  const recorded: AlertItem[] = [];
  return {
    recorded,
    record: (a) => recorded.push(a),
    since: (iso) => recorded.filter((a) => a.at.toISOString() > iso),
    unfinished: () => unfinished,
  };
}

function memoryCursor(): DigestCursor & { value: string | null } {
  const c = {
    value: null as string | null,
    get: async () => c.value,
    set: async (iso: string) => {
      c.value = iso;
    },
  };
  return c;
}

const failed = (type: string, hour: string, msg = "boom"): Task => ({
  type,
  info: `?day=2026-11-23T${hour}`,
  id: `${type}-${hour}`,
  result: "error",
  msg,
  meta: `cron=2026-11-23T${hour}&workflow=w.toml`,
});

async function setup(options: { store?: AlertStore; cursor?: DigestCursor; at?: ManualClock } = {}) {
  const events = new EngineEvents();
  const sent: SlackMessage[] = [];
  const at = options.at ?? clock();
  service = await startAlerts({
    events,
    store: options.store,
    cursor: options.cursor,
    send: (m) => sent.push(m),
    prefix: "prod",
    dashboardUrl: "http://tm:8080",
    minFrequencyMs: 5 * minute,
    maxFrequencyMs: 80 * minute,
    taskTtlMs: 4 * 60 * minute,
    clock: at,
  });
  const exhausted = (t: Task) =>
    events.emit({
      type: "alertRaised",
      alert: { kind: "retries-exhausted", task: t, message: `${t.type} failed after 2 retries: ${t.msg}` },
    });
  return { events, sent, at, svc: service, exhausted };
}

describe("the alert service", () => {
  it("records every alert and sends one digest of what is new, grouped by phase with data-time ranges", async () => {
    const store = memoryStore();
    const { sent, svc, exhausted } = await setup({ store });
    for (const hour of ["03", "04", "05", "11"]) exhausted(failed("load", hour));
    exhausted(failed("sum", "07"));
    expect(store.recorded).toHaveLength(5);
    await svc.check();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain("load");
    expect(sent[0]?.text).toContain("2026/11/23T03-2026/11/23T05,2026/11/23T11");
    expect(sent[0]?.text).toContain("[prod]");
    await svc.check(); // nothing new: no second digest
    expect(sent).toHaveLength(1);
  });

  it("sends a task that returned alert at once, before any digest", async () => {
    const { events, sent } = await setup();
    const task: Task = { type: "check", info: "?x=1", id: "c1", result: "alert", msg: "numbers look wrong" };
    events.emit({ type: "alertRaised", alert: { kind: "task-alert", task, message: "numbers look wrong" } });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain("numbers look wrong");
  });

  it("says in the next digest that a phase which alerted has completed for the same data time", async () => {
    const { events, sent, svc, exhausted } = await setup();
    exhausted(failed("load", "03"));
    await svc.check();
    events.emit({
      type: "taskDone",
      task: { ...failed("load", "03"), result: "complete", msg: "" },
      redelivered: false,
      data: new Uint8Array(),
    });
    await svc.check();
    expect(sent).toHaveLength(2);
    expect(sent[1]?.text).toMatch(/[Rr]esolved/);
    expect(sent[1]?.text).toContain("load");
  });

  it("raises one incomplete alert per task left unfinished past task_ttl, however often it looks", async () => {
    const late: Task = { type: "slow", info: "?a=1", id: "s1", created: "2026-11-23T07:00:00Z" };
    const store = memoryStore([late]);
    const { svc } = await setup({ store });
    await svc.check();
    await svc.check();
    const incomplete = store.recorded.filter((a) => a.kind === "incomplete");
    expect(incomplete).toHaveLength(1);
    expect(incomplete[0]?.message).toBe("INCOMPLETE: not finished 4h after it was emitted");
    expect(incomplete[0]?.info).toBe("?a=1");
  });

  it("does not resend after a restart what the last digest carried, and sends what it did not", async () => {
    const store = memoryStore();
    const cursor = memoryCursor();
    const at = clock();
    const first = await setup({ store, cursor, at });
    first.exhausted(failed("load", "03"));
    await first.svc.check();
    expect(first.sent).toHaveLength(1);
    await at.advance(minute);
    first.exhausted(failed("load", "04")); // recorded, not sent before the "crash"
    await first.svc.stop();

    await at.advance(minute);
    const second = await setup({ store, cursor, at });
    await second.svc.check();
    expect(second.sent).toHaveLength(1);
    expect(second.sent[0]?.text).toContain("2026/11/23T04");
    expect(second.sent[0]?.text).not.toContain("2026/11/23T03");
  });
});

describe("the alert service's own timing", () => {
  it("checks for a digest every slack.min_frequency, doubling the wait while alerts keep coming", async () => {
    const { sent, svc, at, exhausted } = await setup();
    exhausted(failed("load", "03"));
    await at.advance(5 * minute - 1);
    expect(sent).toHaveLength(0);
    await at.advance(1);
    expect(sent).toHaveLength(1);
    expect(svc.state().frequencyMs).toBe(10 * minute);

    exhausted(failed("load", "04"));
    await at.advance(10 * minute - 1);
    expect(sent).toHaveLength(1);
    await at.advance(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.text).toContain("2026/11/23T04");

    // A quiet check sends nothing and brings the wait back to the minimum.
    await at.advance(20 * minute);
    expect(sent).toHaveLength(2);
    expect(svc.state().frequencyMs).toBe(5 * minute);
    exhausted(failed("load", "05"));
    await at.advance(5 * minute);
    expect(sent).toHaveLength(3);
  });

  it("looks for tasks left unfinished every minute, and sends them with the next digest", async () => {
    const late: Task = { type: "slow", info: "?a=1", id: "s1", created: "2026-11-23T07:00:00Z" };
    const store = memoryStore([late]);
    const { sent, at } = await setup({ store });
    await at.advance(minute - 1);
    expect(store.recorded).toEqual([]);
    await at.advance(1);
    expect(store.recorded.map((a) => a.kind)).toEqual(["incomplete"]);
    await at.advance(4 * minute);
    expect(store.recorded).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain("slow");
  });
});
