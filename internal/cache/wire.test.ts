import { describe, expect, it } from "vitest";
import type { CacheOp } from "./queue.ts";
import type { DoneRecord, FileRecord, PhaseRecord, TaskRecord } from "./types.ts";
import { readBatch, WireBatch } from "./wire.ts";

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
  it("brings every kind of record back as it was sent, in order", () => {
    const batch = new WireBatch();
    batch.task(task);
    batch.done(done);
    batch.task({ ...task, key: "k2", dataTime: null });
    batch.task({ ...task, key: "k3", dataTime: "2024-01-14T00:00:00Z", published: null });
    batch.other({ op: "file", record: file });
    batch.other({ op: "phases", records: [phase] });
    expect(batch.count).toBe(6);
    const ops = readBatch(batch.take());
    const want: CacheOp[] = [
      { op: "task", record: task },
      { op: "done", record: done },
      { op: "task", record: { ...task, key: "k2", dataTime: null } },
      { op: "task", record: { ...task, key: "k3", dataTime: "2024-01-14T00:00:00Z", published: null } },
      { op: "file", record: file },
      { op: "phases", records: [phase] },
    ];
    expect(ops).toEqual(want);
    // No dataTime given: left for the writer to work out, not taken as "none".
    expect("dataTime" in (ops[0] as { record: TaskRecord }).record).toBe(false);
  });

  it("starts afresh after each take", () => {
    const batch = new WireBatch();
    batch.done(done);
    expect(readBatch(batch.take())).toHaveLength(1);
    expect(batch.count).toBe(0);
    expect(readBatch(batch.take())).toEqual([]);
  });

  it("refuses text it did not write", () => {
    expect(() => readBatch("[1,2]")).toThrow(/record tag/);
    expect(() => readBatch("{")).toThrow();
  });
});
