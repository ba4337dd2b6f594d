/**
 * Writing queued records: one transaction per batch with statements prepared once per connection, and the rules
 * that keep one row per task however the events race. A done updates exactly the task it finishes, matched on
 * (id, type, job, info, created); a done with no task becomes an orphan row (`done:` + hash, kind "unknown") that the
 * task adopts if it is recorded later. The `days` calendar is marked once per day per batch, not per row.
 */
import { hash } from "node:crypto";
import type { Database, Statement } from "better-sqlite3";
import { parseMeta } from "../task/index.ts";
import type { CacheOp } from "./queue.ts";
import { dayOf, utc, utcText } from "./time.ts";
import type {
  ActionRecord,
  AlertRecord,
  DoneRecord,
  FileRecord,
  PhaseRecord,
  RejectedRecord,
  TaskRecord,
} from "./types.ts";

/** A rejected message is kept up to this many characters: enough to see what it was, not a copy of a flood. */
export const maxRejectedData = 65_536;

const datePrefix = /^\d{4}-\d{2}-\d{2}/;

type Params = Record<string, string | number | null>;
type DayColumn = "tasks" | "files" | "alerts";

const sql = {
  // The statements a task and its done take are bound by position: with a dozen columns that is about half the cost
  // of binding by name, and these run for every task.
  insertTask: `INSERT INTO tasks (key, id, type, job, info, meta, kind, subject, workflow, phase, created, published,
      data_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
  findOrphan: "SELECT meta, result, msg, started, ended, done FROM tasks WHERE key = ?",
  adopt: "UPDATE tasks SET meta = ?, result = ?, msg = ?, started = ?, ended = ?, done = ? WHERE key = ?",
  deleteKey: "DELETE FROM tasks WHERE key = ?",
  // Prefer the row this very done already finished (a repeated done is a no-op), then one still running.
  finish: `UPDATE tasks SET meta = ?, result = ?, msg = ?, started = ?, ended = ?, done = ? WHERE key = (
        SELECT key FROM tasks WHERE id = ? AND type = ? AND job = ? AND info = ? AND created = ?
          AND meta_retry(meta) = ?
        ORDER BY CASE WHEN result = ? AND started IS ? AND ended IS ? THEN 0 WHEN result = '' THEN 1 ELSE 2 END, key
        LIMIT 1)`,
  insertOrphan: `INSERT INTO tasks (key, id, type, job, info, meta, kind, created, result, msg, started, ended, done)
      VALUES (?, ?, ?, ?, ?, ?, 'unknown', ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
  insertFile: `INSERT INTO files (path, size, modified, checksum, source, format, status, data_time, task_ids,
      task_names, reason, received) VALUES (@path, @size, @modified, @checksum, @source, @format, @status,
      @dataTime, @taskIds, @taskNames, @reason, @received)`,
  insertAlert: `INSERT INTO alerts (kind, task_id, task_type, job, info, msg, data_time, created)
      VALUES (@kind, @taskId, @taskType, @job, @info, @msg, @dataTime, @created)`,
  insertRejected: `INSERT INTO rejected (subject, reason, data, received)
      VALUES (@subject, @reason, @data, @received)`,
  insertAction: `INSERT INTO actions (action, actor, detail, outcome, tasks, at)
      VALUES (@action, @actor, @detail, @outcome, @tasks, @at)`,
  clearPhases: "DELETE FROM phases",
  insertPhase: `INSERT INTO phases (workflow, phase, topic, job, depends_on, rule, template, retry, status,
      problems, loaded) VALUES (@workflow, @phase, @topic, @job, @dependsOn, @rule, @template, @retry, @status,
      @problems, @loaded) ON CONFLICT (workflow, phase) DO UPDATE SET topic = excluded.topic, job = excluded.job,
      depends_on = excluded.depends_on, rule = excluded.rule, template = excluded.template,
      retry = excluded.retry, status = excluded.status, problems = excluded.problems, loaded = excluded.loaded`,
  markDay: `INSERT INTO days (date, tasks, files, alerts) VALUES (@date, @tasks, @files, @alerts)
      ON CONFLICT (date) DO UPDATE SET tasks = max(tasks, excluded.tasks), files = max(files, excluded.files),
      alerts = max(alerts, excluded.alerts)`,
} as const;

export interface Writer {
  /** Writes `ops` in one transaction, or nothing: whatever SQLite throws is thrown after the rollback. */
  write(ops: readonly CacheOp[]): void;
}

export function prepareWriter(db: Database): Writer {
  // A retry sent within the same second as the task it retries has the same id, type, info and created (second
  // precision, as flowlord writes it): its `retry=` meta value tells the two apart.
  db.function("meta_retry", { deterministic: true }, (meta: unknown) => retryOf(text(meta)));
  const s = Object.fromEntries(Object.entries(sql).map(([name, text]) => [name, db.prepare(text)])) as Record<
    keyof typeof sql,
    Statement
  >;
  const write = db.transaction((ops: readonly CacheOp[]) => {
    const days = new Map<string, Set<DayColumn>>();
    const mark = (time: string, column: DayColumn) => {
      if (!datePrefix.test(time)) return;
      const day = dayOf(time);
      const columns = days.get(day) ?? new Set<DayColumn>();
      columns.add(column);
      days.set(day, columns);
    };
    for (const op of ops) writeOp(s, op, mark);
    for (const [date, columns] of days) {
      s.markDay.run({
        date,
        tasks: columns.has("tasks") ? 1 : 0,
        files: columns.has("files") ? 1 : 0,
        alerts: columns.has("alerts") ? 1 : 0,
      });
    }
  });
  return { write: (ops) => write(ops) };
}

type Statements = Record<keyof typeof sql, Statement>;
type Mark = (time: string, column: DayColumn) => void;

function writeOp(s: Statements, op: CacheOp, mark: Mark): void {
  switch (op.op) {
    case "task":
      writeTask(s, op.record, mark);
      break;
    case "done":
      writeDone(s, op.record, mark);
      break;
    case "file":
      s.insertFile.run(fileParams(op.record));
      mark(utcText(op.record.received), "files");
      break;
    case "alert":
      s.insertAlert.run(alertParams(op.record));
      mark(utcText(op.record.created), "alerts");
      break;
    case "rejected":
      s.insertRejected.run(rejectedParams(op.record));
      break;
    case "action":
      s.insertAction.run(actionParams(op.record));
      break;
    case "phases":
      s.clearPhases.run();
      for (const phase of op.records) s.insertPhase.run(phaseParams(phase));
  }
}

interface OrphanRow {
  readonly meta: string;
  readonly result: string;
  readonly msg: string;
  readonly started: string | null;
  readonly ended: string | null;
  readonly done: string | null;
}

function writeTask(s: Statements, r: TaskRecord, mark: Mark): void {
  const m = matchOf(r);
  const key = text(r.key);
  const inserted = s.insertTask.run(
    key,
    m.id,
    m.type,
    m.job,
    m.info,
    m.meta,
    text(r.kind) || "unknown",
    text(r.subject),
    text(r.workflow),
    text(r.phase),
    m.created,
    utc(r.published),
    utc(r.dataTime),
  );
  if (inserted.changes === 0) return;
  mark(m.created, "tasks");
  const orphan = orphanKey(m);
  const found = s.findOrphan.get(orphan) as OrphanRow | undefined;
  if (!found) return;
  s.adopt.run(found.meta, found.result, found.msg, found.started, found.ended, found.done, key);
  s.deleteKey.run(orphan);
}

function writeDone(s: Statements, r: DoneRecord, mark: Mark): void {
  const m = matchOf(r);
  const result = text(r.result);
  const msg = text(r.msg);
  const started = utc(r.started);
  const ended = utc(r.ended);
  const done = utc(r.done);
  // The new values, the task's match, then what tells a repeat of this very done (see `finish`).
  // biome-ignore format: the three groups read better on their own lines
  const finished = s.finish.run(
    m.meta, result, msg, started, ended, done,
    m.id, m.type, m.job, m.info, m.created, m.attempt,
    result, started, ended,
  );
  if (finished.changes > 0) return;
  const key = orphanKey(m);
  s.insertOrphan.run(key, m.id, m.type, m.job, m.info, m.meta, m.created, result, msg, started, ended, done);
  mark(m.created, "tasks");
}

/**
 * What a done finds its task by, normalised the same way on both sides: the fields of either record that identify
 * the task, and the attempt (its `retry=` meta value).
 */
type Match = Pick<DoneRecord, "id" | "type" | "job" | "info" | "created" | "meta"> & {
  readonly attempt: string;
};

function matchOf(r: TaskRecord | DoneRecord): Match {
  const meta = text(r.meta);
  return {
    id: text(r.id),
    type: text(r.type),
    job: text(r.job),
    info: text(r.info),
    created: utcText(r.created),
    meta,
    attempt: retryOf(meta),
  };
}

/** The key of the row a done makes when its task is not there: one per (id, type, job, info, created, attempt). */
function orphanKey(m: Omit<Match, "meta">): string {
  const fields = JSON.stringify([m.id, m.type, m.job, m.info, m.created, m.attempt]);
  return `done:${hash("sha256", fields, "hex").slice(0, 32)}`;
}

/** Text for a NOT NULL column whatever the caller passed. */
function text(value: unknown): string {
  return typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
}

/** The task's `retry=` meta value ("" for a first run): which attempt a record is. */
export function retryOf(meta: string): string {
  // Most meta has no retry: not parsed then (unless a key might be percent-encoded).
  if (!meta.includes("retry") && !meta.includes("%")) return "";
  return parseMeta(meta).get("retry") ?? "";
}

function fileParams(r: FileRecord): Params {
  return {
    path: text(r.path),
    size: Number.isFinite(r.size) ? r.size : 0,
    modified: utc(r.modified),
    checksum: text(r.checksum),
    source: text(r.source),
    format: text(r.format),
    status: text(r.status),
    dataTime: utc(r.dataTime),
    taskIds: JSON.stringify(r.taskIds ?? []),
    taskNames: JSON.stringify(r.taskNames ?? []),
    reason: text(r.reason),
    received: utcText(r.received),
  };
}

function actionParams(r: ActionRecord): Params {
  return {
    action: r.action,
    actor: r.actor,
    detail: r.detail,
    outcome: r.outcome,
    tasks: r.tasks,
    at: utc(r.at) ?? r.at,
  };
}

function alertParams(r: AlertRecord): Params {
  return {
    kind: text(r.kind),
    taskId: text(r.taskId),
    taskType: text(r.taskType),
    job: text(r.job),
    info: text(r.info),
    msg: text(r.msg),
    dataTime: utc(r.dataTime),
    created: utcText(r.created),
  };
}

function rejectedParams(r: RejectedRecord): Params {
  return {
    subject: text(r.subject),
    reason: text(r.reason),
    data: text(r.data).slice(0, maxRejectedData),
    received: utcText(r.received),
  };
}

function phaseParams(r: PhaseRecord): Params {
  return {
    workflow: text(r.workflow),
    phase: text(r.phase),
    topic: text(r.topic),
    job: text(r.job),
    dependsOn: text(r.dependsOn),
    rule: text(r.rule),
    template: text(r.template),
    retry: Number.isFinite(r.retry) ? Math.trunc(r.retry) : 0,
    status: text(r.status),
    problems: JSON.stringify(r.problems ?? []),
    loaded: utcText(r.loaded),
  };
}
