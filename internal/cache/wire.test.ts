import { describe, expect, it } from "vitest";
import type { CacheOp } from "./queue.ts";
import type { DoneRecord, FileRecord, PhaseRecord, TaskRecord } from "./types.ts";
import { type PublishedTask, readBatch, WireBatch } from "./wire.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

const task: TaskRecord = {
  key: "k1",
  id: "id1",
  type: "child",
  job: "j",
  info: '?a=1&b=é\u0000"',
  meta: "workflow=w.toml&i=1",
  kind: "child",
  subject: "tasks.child",
  workflow: "w.toml",
  phase: "child:j",
  created: "2024-01-15T00:00:00Z",
  published: "2024-01-15T00:00:01.000Z",
};
const done: DoneRecord = {
  id: "id1",
  type: "child",
  job: "",
  info: "?a=1",
  created: "2024-01-15T00:00:00Z",
  meta: "workflow=w.toml",
  result: "complete",
  msg: "line\nnext",
  started: null,
  ended: "2024-01-15T00:00:02Z",
  done: "2024-01-15T00:00:03.000Z",
};
const file: FileRecord = {
  path: "/in/a.csv",
  size: 3,
  modified: null,
  checksum: "",
  source: "watch",
  format: "",
  status: "triggered",
  dataTime: "",
  taskIds: ["t1"],
  taskNames: ["ingest"],
  reason: "",
  received: "2024-01-15T00:00:00.000Z",
};
const phase: PhaseRecord = {
  workflow: "w.toml",
  phase: "child:j",
  topic: "child",
  job: "j",
  dependsOn: "root",
  rule: "",
  template: "?a={meta:a}",
  retry: 2,
  status: "ok",
  problems: [],
  loaded: "2024-01-15T00:00:00.000Z",
};

describe("the writer's wire format", () => {
  const published: PublishedTask = {
    key: "k1",
    kind: "child",
    subject: "tasks.child",
    workflow: "w.toml",
    phase: "child:j",
    published: "2024-01-15T00:00:01.000Z",
  };
  const taskJsonText = JSON.stringify({
    type: "child",
    job: "j",
    info: task.info,
    created: task.created,
    id: "id1",
    meta: task.meta,
  });

  it("brings back a task as published and a done as received as the records the writer writes, in order", () => {
    const batch = new WireBatch();
    batch.published(published, bytes(taskJsonText));
    // A worker may send its JSON spread over lines: the entry is framed by its length, not by a newline.
    const doneText = `{\n  "type": "child", "info": "?a=1", "id": "id1",\n  "created": "2024-01-15T00:00:00Z",
  "meta": "workflow=w.toml", "result": "complete", "msg": "line\\nnext", "ended": "2024-01-15T00:00:02Z"\n}\n`;
    batch.done(bytes(doneText), "2024-01-15T00:00:03.000Z");
    batch.record({ op: "task", record: { ...task, key: "k2", dataTime: null } });
    batch.record({ op: "done", record: done });
    batch.record({ op: "file", record: file });
    batch.record({ op: "phases", records: [phase] });
    expect(batch.count).toBe(6);
    const { ops, unreadable } = readBatch(batch.take());
    const want: CacheOp[] = [
      { op: "task", record: task },
      { op: "done", record: { ...done, job: "", started: "" } },
      { op: "task", record: { ...task, key: "k2", dataTime: null } },
      { op: "done", record: done },
      { op: "file", record: file },
      { op: "phases", records: [phase] },
    ];
    expect(ops).toEqual(want);
    expect(unreadable).toBe(0);
    // No dataTime given: left for the writer to work out, not taken as "none".
    expect("dataTime" in (ops[0] as { record: TaskRecord }).record).toBe(false);
  });

  it("keeps header fields with tabs, newlines, backslashes and any character", () => {
    const odd = { ...published, workflow: "dir\\w\t1.toml", phase: "child:\né\\t" };
    const batch = new WireBatch();
    batch.published(odd, bytes(taskJsonText));
    const [op] = readBatch(batch.take()).ops;
    expect(op).toMatchObject({ op: "task", record: { workflow: odd.workflow, phase: odd.phase } });
  });

  it("gives a task without a created time its publishing time, as the engine does", () => {
    const batch = new WireBatch();
    batch.published(published, bytes('{"type":"child","info":""}'));
    const [op] = readBatch(batch.take()).ops;
    expect(op).toMatchObject({
      op: "task",
      record: { created: published.published, id: "", job: "", meta: "" },
    });
  });

  it("grows past its first 256 KiB, and starts afresh after each take", () => {
    const batch = new WireBatch();
    const info = "x".repeat(100_000);
    for (let i = 0; i < 3; i++)
      batch.published({ ...published, key: `k${i}` }, bytes(JSON.stringify({ type: "big", info })));
    const taken = batch.take();
    expect(taken.byteLength).toBeGreaterThan(300_000);
    expect(readBatch(taken).ops.map((op) => (op as { record: TaskRecord }).record.key)).toEqual([
      "k0",
      "k1",
      "k2",
    ]);
    expect(batch.count).toBe(0);
    expect(readBatch(batch.take()).ops).toEqual([]);
  });

  it("skips and counts an entry that is not a task, and refuses bytes it did not write", () => {
    const batch = new WireBatch();
    batch.done(bytes("not json"), "2024-01-15T00:00:03.000Z");
    batch.record({ op: "file", record: file });
    expect(readBatch(batch.take())).toEqual({ ops: [{ op: "file", record: file }], unreadable: 1 });
    expect(() => readBatch(bytes("[1,2]"))).toThrow(/no header/);
    expect(() => readBatch(bytes("D\t2024\t99\nshort"))).toThrow(/length of 99/);
  });
});
