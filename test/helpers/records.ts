/**
 * History records, a history file written with them, and temporary folders, for the tests of the cache and of what
 * reads it (the HTTP side, the commands).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { openDatabase } from "../../internal/cache/db.ts";
import type {
  ActionRecord,
  AlertRecord,
  CacheOp,
  DoneRecord,
  FileRecord,
  PhaseRecord,
  RejectedRecord,
  TaskRecord,
} from "../../internal/cache/types.ts";
import { prepareWriter } from "../../internal/cache/writes.ts";

export function task(over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    key: "k1",
    id: "id-1",
    type: "extract",
    job: "daily",
    info: "?date=2024-01-15",
    meta: "cron=2024-01-15T00&job=daily&workflow=f1.toml",
    kind: "cron",
    subject: "tasks.extract",
    workflow: "f1.toml",
    phase: "extract:daily",
    created: "2024-01-15T03:04:05Z",
    published: "2024-01-15T03:04:05.120Z",
    dataTime: "2024-01-15T00:00:00Z",
    ...over,
  };
}

/** The done that finishes `t`: started 1 s and ended 3 s after it was created. */
export function done(t: TaskRecord, over: Partial<DoneRecord> = {}): DoneRecord {
  const created = Date.parse(t.created);
  const at = (s: number) => new Date(created + s * 1000).toISOString();
  return {
    id: t.id,
    type: t.type,
    job: t.job,
    info: t.info,
    created: t.created,
    meta: `${t.meta}&worker=w1`,
    result: "complete",
    msg: "",
    started: at(1),
    ended: at(3),
    done: at(3.5),
    ...over,
  };
}

/** The done of the `i`-th task of a burst (type "burst", ids t0, t1, ...), its task never recorded. */
export const burstDone = (i: number): DoneRecord =>
  done(task({ key: `burst-${i}`, id: `t${i}`, type: "burst" }));

export function file(over: Partial<FileRecord> = {}): FileRecord {
  return {
    path: "s3://bucket/in/2024/01/15/data.csv",
    size: 1234,
    modified: "2024-01-15T05:00:00+02:00",
    checksum: "abc123",
    source: "s3",
    format: "csv",
    status: "triggered",
    dataTime: "2024-01-15T00:00:00Z",
    taskIds: ["id-9"],
    taskNames: ["load:csv"],
    reason: "",
    received: "2024-01-15T03:10:00Z",
    ...over,
  };
}

/** The done that finishes `t` after running `ms`, started 1 s after it was created. */
export function ranFor(t: TaskRecord, ms: number, result = "complete"): DoneRecord {
  const started = Date.parse(t.created) + 1000;
  return done(t, {
    result,
    started: new Date(started).toISOString(),
    ended: new Date(started + ms).toISOString(),
  });
}

export function alert(over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    kind: "failed",
    taskId: "id-1",
    taskType: "extract",
    job: "daily",
    info: "?date=2024-01-15",
    msg: "retries used up",
    dataTime: "2024-01-15T00:00:00Z",
    created: "2024-01-15T04:00:00Z",
    ...over,
  };
}

export function rejected(over: Partial<RejectedRecord> = {}): RejectedRecord {
  return { subject: "done", reason: "not JSON", data: "{oops", received: "2024-01-15T04:30:00Z", ...over };
}

export function phase(over: Partial<PhaseRecord> = {}): PhaseRecord {
  return {
    workflow: "f1.toml",
    phase: "extract:daily",
    topic: "extract",
    job: "daily",
    dependsOn: "",
    rule: "cron=0 3 * * *",
    template: "?date={yyyy}-{mm}-{dd}",
    retry: 2,
    status: "ok",
    problems: [],
    loaded: "2024-01-15T00:00:00Z",
    ...over,
  };
}

/** A fresh temporary folder and a function that removes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "taskmaster-cache-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A history file written at once, one record a transaction, through the follower's own writer: the rows the follower
 * would write for these records, without streams. `write` takes several records as one batch.
 */
export interface HistoryFile {
  readonly path: string;
  readonly db: Database;
  taskEmitted(record: TaskRecord): void;
  taskDone(record: DoneRecord): void;
  fileArrived(record: FileRecord): void;
  alertRaised(record: AlertRecord): void;
  messageRejected(record: RejectedRecord): void;
  actionTaken(record: ActionRecord): void;
  phasesLoaded(records: readonly PhaseRecord[]): void;
  write(ops: readonly CacheOp[]): void;
  close(): void;
}

/** Opens (creating it) the history at `path`, with the current schema. */
export function historyFile(path: string): HistoryFile {
  const db = openDatabase(path);
  const writer = prepareWriter(db);
  const write = (ops: readonly CacheOp[]) => writer.write(ops);
  return {
    path,
    db,
    taskEmitted: (record) => write([{ op: "task", record }]),
    taskDone: (record) => write([{ op: "done", record }]),
    fileArrived: (record) => write([{ op: "file", record }]),
    alertRaised: (record) => write([{ op: "alert", record }]),
    messageRejected: (record) => write([{ op: "rejected", record }]),
    actionTaken: (record) => write([{ op: "action", record }]),
    phasesLoaded: (records) => write([{ op: "phases", records: [...records] }]),
    write,
    close: () => db.close(),
  };
}
