/**
 * Writing queued records: one transaction per batch with statements prepared once per connection, and the rules
 * that keep one row per task however the events race. A done updates exactly the task it finishes, matched on
 * (id, type, job, info, created); a done with no task becomes an orphan row (`done:` + hash, kind "unknown") that the
 * task adopts if it is recorded later. The `days` calendar is marked once per day per batch, not per row.
 *
 * Most tasks finish within the batch that records them: a task and its done in the same batch, in either order, are
 * written as one finished row, which costs one insert instead of an insert and an update (or, when the done came
 * first, an orphan row, its adoption and its deletion).
 */
import { hash } from "node:crypto";
import type { Database, Statement } from "better-sqlite3";
import { parseMeta } from "../task/index.ts";
import { dayOf, utc, utcText } from "./time.ts";
import type {
  ActionRecord,
  AlertRecord,
  CacheOp,
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
  insertFinished: `INSERT INTO tasks (key, id, type, job, info, meta, kind, subject, workflow, phase, created,
      published, data_time, result, msg, started, ended, done)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
  // Orphan keys sort together ("done:" up to, not including, "done;"), so the key index answers whether any exist.
  anyOrphan: "SELECT 1 FROM tasks WHERE key >= 'done:' AND key < 'done;' LIMIT 1",
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
    const batch: Batch = { s, mark, orphans: s.anyOrphan.get() !== undefined };
    const { matches, partners } = pairInBatch(ops);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as CacheOp;
      const partner = partners[i] ?? -1;
      if (op.op === "task") {
        const done = partner < 0 ? undefined : (ops[partner] as DoneOp).record;
        writeTask(batch, op.record, matches[i] as Match, done, matches[partner]);
      } else if (op.op === "done") {
        if (partner < 0) writeDone(batch, op.record, matches[i] as Match);
      } else writeOp(s, op, mark);
    }
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
type DoneOp = Extract<CacheOp, { op: "done" }>;

/** What one transaction's writes share: its statements, its calendar marks, and whether orphan rows may exist. */
interface Batch {
  readonly s: Statements;
  readonly mark: Mark;
  orphans: boolean;
}

/**
 * Each done of the batch paired with the first task of its match in the batch not already paired, before or after
 * it (`partners[i]` is the other's index, or -1); and every task's and done's match, worked out once.
 */
function pairInBatch(ops: readonly CacheOp[]): { matches: (Match | undefined)[]; partners: Int32Array } {
  const matches: (Match | undefined)[] = new Array(ops.length);
  const partners = new Int32Array(ops.length).fill(-1);
  const tasks = new Map<string, number[]>();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as CacheOp;
    if (op.op !== "task") continue;
    const m = matchOf(op.record);
    matches[i] = m;
    const waiting = tasks.get(m.text);
    if (waiting) waiting.push(i);
    else tasks.set(m.text, [i]);
  }
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as CacheOp;
    if (op.op !== "done") continue;
    const m = matchOf(op.record);
    matches[i] = m;
    const task = tasks.get(m.text)?.shift();
    if (task === undefined) continue;
    partners[i] = task;
    partners[task] = i;
  }
  return { matches, partners };
}

function writeOp(s: Statements, op: CacheOp, mark: Mark): void {
  switch (op.op) {
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
      break;
    default:
      throw new Error(`writeOp is not for ${op.op} records`);
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

/**
 * Records a task; with `done`, its done from the same batch, written as one finished row. A task that finds an
 * orphan row of its match (its done came in an earlier batch) adopts it instead, and then takes `done` as any task
 * does, so that the rules are the same whatever the batching.
 */
function writeTask(b: Batch, r: TaskRecord, m: Match, done?: DoneRecord, doneMatch?: Match): void {
  const { s, mark } = b;
  const key = text(r.key);
  const orphan = b.orphans ? orphanKey(m) : "";
  const found = orphan ? (s.findOrphan.get(orphan) as OrphanRow | undefined) : undefined;
  const kind = text(r.kind) || "unknown";
  const published = utc(r.published);
  const dataTime = utc(r.dataTime);
  if (done && doneMatch && !found) {
    const d = doneValues(done);
    // biome-ignore format: the task's columns, then its done's
    const inserted = s.insertFinished.run(
      key, m.id, m.type, m.job, m.info, doneMatch.meta, kind, text(r.subject), text(r.workflow), text(r.phase),
      m.created, published, dataTime,
      d.result, d.msg, d.started, d.ended, d.done,
    );
    if (inserted.changes > 0) mark(m.created, "tasks");
    // Recorded before (the same task stored twice): its done finishes whichever row it matches.
    else writeDone(b, done, doneMatch);
    return;
  }
  // biome-ignore format: one row's columns
  const inserted = s.insertTask.run(
    key, m.id, m.type, m.job, m.info, m.meta, kind, text(r.subject), text(r.workflow), text(r.phase),
    m.created, published, dataTime,
  );
  if (inserted.changes > 0) {
    mark(m.created, "tasks");
    if (found) {
      s.adopt.run(found.meta, found.result, found.msg, found.started, found.ended, found.done, key);
      s.deleteKey.run(orphan);
    }
  }
  if (done && doneMatch) writeDone(b, done, doneMatch);
}

function doneValues(r: DoneRecord) {
  return {
    result: text(r.result),
    msg: text(r.msg),
    started: utc(r.started),
    ended: utc(r.ended),
    done: utc(r.done),
  };
}

function writeDone(b: Batch, r: DoneRecord, m: Match): void {
  const { s, mark } = b;
  const { result, msg, started, ended, done } = doneValues(r);
  // The new values, the task's match, then what tells a repeat of this very done (see `finish`).
  // biome-ignore format: the three groups read better on their own lines
  const finished = s.finish.run(
    m.meta, result, msg, started, ended, done,
    m.id, m.type, m.job, m.info, m.created, m.attempt,
    result, started, ended,
  );
  if (finished.changes > 0) return;
  const key = orphanKey(m);
  // biome-ignore format: one row's columns
  const orphaned = s.insertOrphan.run(
    key, m.id, m.type, m.job, m.info, m.meta, m.created, result, msg, started, ended, done,
  );
  if (orphaned.changes > 0) b.orphans = true;
  mark(m.created, "tasks");
}

/**
 * What a done finds its task by, normalised the same way on both sides: the fields of either record that identify
 * the task, and the attempt (its `retry=` meta value).
 */
type Match = Pick<DoneRecord, "id" | "type" | "job" | "info" | "created" | "meta"> & {
  readonly attempt: string;
  /** The identifying fields as one text, to pair a task and its done within a batch. */
  readonly text: string;
};

function matchOf(r: TaskRecord | DoneRecord): Match {
  const meta = text(r.meta);
  const id = text(r.id);
  const type = text(r.type);
  const job = text(r.job);
  const info = text(r.info);
  const created = utcText(r.created);
  const attempt = retryOf(meta);
  return {
    id,
    type,
    job,
    info,
    created,
    meta,
    attempt,
    text: `${id}\0${type}\0${job}\0${info}\0${created}\0${attempt}`,
  };
}

/**
 * The key of the row a done makes when its task is not there: one per (id, type, job, info, created, attempt). It
 * starts with the task's creation time, so that orphans made together go to the same end of the key index instead
 * of a random page each (a burst of dones whose tasks the history never saw is written a page at a time).
 */
function orphanKey(m: Omit<Match, "meta">): string {
  const fields = JSON.stringify([m.id, m.type, m.job, m.info, m.created, m.attempt]);
  return `done:${m.created}|${hash("sha256", fields, "hex").slice(0, 24)}`;
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
