import { describe, expect, it } from "vitest";
import { encodeEntry, type JournalFact } from "../journal/index.ts";
import { taskJson } from "../task/index.ts";
import { Batch, cursor, reached } from "./batch.ts";
import {
  actionOf,
  doneOp,
  entryOp,
  impliedAlert,
  type StoredMessage,
  storedTimes,
  taskOp,
} from "./entries.ts";

const text = new TextEncoder();
const storedAt = Date.parse("2024-01-15T03:04:05.678Z");

function message(
  data: string | Uint8Array,
  over: Partial<StoredMessage> & { h?: Record<string, string> } = {},
) {
  const { h, ...rest } = over;
  return {
    seq: 7,
    subject: "tasks.load",
    data: typeof data === "string" ? text.encode(data) : data,
    headers: h ? { get: (name: string) => h[name] ?? "" } : undefined,
    info: { timestampNanos: storedAt * 1e6 },
    ...rest,
  } satisfies StoredMessage;
}

const task = {
  type: "load",
  job: "",
  info: "?date=2024-01-15",
  id: "id-1",
  created: "2024-01-15T03:00:00Z",
  meta: "cron=2024-01-15T00&job=eu&retry=1&workflow=w.toml",
};
const stored = "2024-01-15T03:04:05.678Z";
const at = new Date("2024-01-15T04:00:00.000Z");

describe("task messages", () => {
  it("take the kind, workflow and phase from the headers taskmaster publishes, the key from the message id", () => {
    const h = {
      "Nats-Msg-Id": "msg-1",
      "Taskmaster-Kind": "child",
      "Taskmaster-Workflow": "f.toml",
      "Taskmaster-Phase": "load:eu",
    };
    expect(taskOp(message(taskJson(task), { h }), stored)).toEqual({
      op: "task",
      record: {
        key: "msg-1",
        id: "id-1",
        type: "load",
        job: "eu",
        info: "?date=2024-01-15",
        meta: task.meta,
        kind: "child",
        subject: "tasks.load",
        workflow: "f.toml",
        phase: "load:eu",
        created: "2024-01-15T03:00:00Z",
        published: stored,
        dataTime: "2024-01-15T00:00:00.000Z",
      },
    });
  });

  it("read a task someone else published from its meta, keyed by subject and sequence without a message id", () => {
    const op = taskOp(message(taskJson({ ...task, created: undefined })), stored);
    expect(op).toMatchObject({ op: "task" });
    expect(op.op === "task" && op.record).toMatchObject({
      key: "tasks.load:7",
      kind: "retry",
      workflow: "w.toml",
      phase: "load:eu",
      created: stored,
    });
  });

  it("refuse a message that is not a task", () => {
    expect(() => taskOp(message("{oops"), stored)).toThrow();
  });

  it("make the done record of a done message, recorded when it was stored", () => {
    const done = { ...task, result: "complete" as const, started: "2024-01-15T03:00:01Z" };
    expect(doneOp(message(taskJson(done)), stored)).toMatchObject({
      op: "done",
      record: { id: "id-1", result: "complete", started: "2024-01-15T03:00:01Z", done: stored },
    });
  });

  it("share one text per millisecond of storing", () => {
    const time = storedTimes();
    const first = time(message("{}"));
    expect(first).toBe(stored);
    expect(time(message("{}"))).toBe(first);
    expect(time(message("{}", { info: { timestampNanos: (storedAt + 1) * 1e6 } }))).toBe(
      "2024-01-15T03:04:05.679Z",
    );
  });
});

describe("journal entries", () => {
  const taskRef = {
    id: "id-1",
    type: "load",
    job: "eu",
    info: "?n=1",
    meta: "",
    dataTime: "2024-01-15T00:00:00Z",
  };

  it("make alert, file, rejected and phase rows, timed by the entry", () => {
    const alert = entryOp({
      v: 1,
      at: at.toISOString(),
      type: "alert",
      kind: "k",
      task: taskRef,
      message: "m",
    });
    expect(alert).toEqual({
      op: "alert",
      record: {
        kind: "k",
        taskId: "id-1",
        taskType: "load",
        job: "eu",
        info: "?n=1",
        msg: "m",
        dataTime: "2024-01-15T00:00:00Z",
        created: at.toISOString(),
      },
    });
    const file = entryOp({
      v: 1,
      at: at.toISOString(),
      type: "file",
      path: "/in/a.csv",
      size: 3,
      modified: "",
      checksum: "c",
      source: "watch",
      format: "stat",
      status: "triggered",
      dataTime: "",
      tasks: [{ id: "t1", name: "load:eu", subject: "load", workflow: "w", phase: "load:eu" }],
      reason: "",
    });
    expect(file).toMatchObject({
      op: "file",
      record: { path: "/in/a.csv", taskIds: ["t1"], taskNames: ["load:eu"], received: at.toISOString() },
    });
    const rejected = entryOp({
      v: 1,
      at: at.toISOString(),
      type: "rejected",
      subject: "s",
      reason: "r",
      data: "d",
    });
    expect(rejected).toEqual({
      op: "rejected",
      record: { subject: "s", reason: "r", data: "d", received: at.toISOString() },
    });
    const phase = {
      workflow: "w",
      phase: "load",
      topic: "load",
      job: "",
      dependsOn: "",
      rule: "",
      template: "",
      retry: 1,
      status: "warning",
      problems: ["p"],
    };
    const reload = entryOp({
      v: 1,
      at: at.toISOString(),
      type: "reload",
      workflows: 1,
      changed: [],
      phases: [phase],
    });
    expect(reload).toEqual({ op: "phases", records: [{ ...phase, loaded: at.toISOString() }] });
  });

  it("make no row of cron slots, skipped slots and refused reloads", () => {
    const base = { v: 1 as const, at: at.toISOString() };
    expect(entryOp({ ...base, type: "cron", workflow: "w", phase: "p", slot: "s", tasks: 1 })).toBeNull();
    expect(
      entryOp({ ...base, type: "skipped", workflow: "w", phase: "p", skipped: 1, first: "", last: "" }),
    ).toBeNull();
    expect(entryOp({ ...base, type: "reload-rejected", problems: [] })).toBeNull();
  });

  it("stand for alerts when a message was refused, slots were skipped or a reload was refused", () => {
    const base = { v: 1 as const, at: at.toISOString() };
    const refused = impliedAlert({
      ...base,
      type: "rejected",
      subject: "done",
      reason: "not JSON",
      data: "{",
    });
    expect(refused).toMatchObject({
      kind: "rejected-message",
      task: { type: "done" },
      message: "message rejected on done: not JSON",
      at: base.at,
    });
    const skipped = impliedAlert({
      ...base,
      type: "skipped",
      workflow: "w.toml",
      phase: "load",
      skipped: 3,
      first: "",
      last: "",
    });
    expect(skipped?.message).toBe("w.toml: load: 3 missed cron slot(s) skipped by the catch-up rule");
    const reload = impliedAlert({ ...base, type: "reload-rejected", problems: ["a.toml: x: bad rule"] });
    expect(reload).toMatchObject({
      kind: "workflows-rejected",
      message: "workflow reload refused: a.toml: x: bad rule",
    });
    expect(
      impliedAlert({ ...base, type: "cron", workflow: "w", phase: "p", slot: "s", tasks: 1 }),
    ).toBeNull();
  });
});

describe("audit records", () => {
  it("are actions, and one without its fields is refused", () => {
    const record = {
      action: "retry",
      actor: "a",
      detail: "{}",
      outcome: "ok",
      tasks: 2,
      at: at.toISOString(),
    };
    expect(actionOf(text.encode(JSON.stringify(record)))).toEqual(record);
    expect(() => actionOf(text.encode(JSON.stringify({ ...record, actor: 1 })))).toThrow("without actor");
  });
});

describe("a batch", () => {
  it("takes each stream's messages once, in order, counts gaps as lost and skips what is not its stream's", () => {
    const tasks = cursor("tasks", "T", { seq: 4, lost: 1 });
    const events = cursor("events", "E", { seq: 0, lost: 0 });
    tasks.startLast = 6;
    const batch = new Batch();
    const fact: JournalFact = {
      type: "alert",
      kind: "k",
      task: { ...task, job: "", dataTime: "" },
      message: "m",
    };
    batch.take(tasks, message(taskJson(task), { seq: 4 })); // already written
    batch.take(tasks, message(taskJson(task), { seq: 5 }));
    batch.take(tasks, message("not a task", { seq: 6 }));
    batch.take(tasks, message(taskJson(task), { seq: 9 }));
    batch.take(events, message(encodeEntry(fact, at), { seq: 1 }));
    expect(batch.ops.map((o) => o.op)).toEqual(["task", "task", "alert"]);
    expect({ tasks: batch.tasks, messages: batch.messages, skipped: batch.skipped }).toEqual({
      tasks: 2,
      messages: 4,
      skipped: 1,
    });
    expect(batch.gaps).toEqual([{ stream: "T", from: 7, to: 8 }]);
    expect(batch.alerts.map((a) => a.message)).toEqual(["m"]);
    expect(batch.replay).toBe(false); // 9 is past what the stream held at the start
    expect(reached([tasks, events])).toEqual(
      new Map([
        ["T", { seq: 9, lost: 3 }],
        ["E", { seq: 1, lost: 0 }],
      ]),
    );
  });
});
