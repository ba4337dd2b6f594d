/**
 * Reading the cache for the dashboard and the API. Days are UTC days, the first ten characters of the stored times,
 * queried as the range `[day, next day)` so the time indexes serve them. Lists are newest first unless a task list
 * asks for another order, by a column name from a fixed list: request text never reaches the SQL.
 */
import type { Database } from "better-sqlite3";
import { InputError } from "../errors/index.ts";
import { dayRange, isDay, spanMs } from "./time.ts";
import type { AlertRow, FileRow, PhaseRecord, RejectedRow, TaskRow } from "./types.ts";

export interface TaskFilter {
  readonly type?: string;
  readonly job?: string;
  /** A result (`complete`, `error` ...), or "running" for tasks not finished. */
  readonly result?: string;
  readonly id?: string;
  /** The column to order by; `created` by default. */
  readonly sort?: TaskSort;
  /** `firstDirection(sort)` by default. */
  readonly direction?: SortDirection;
  /** 1-based. */
  readonly page?: number;
  readonly pageSize?: number;
}

export const SortDirection = { asc: "asc", desc: "desc" } as const;
export type SortDirection = (typeof SortDirection)[keyof typeof SortDirection];

/** The result a person sees: failed-topic copies apart, "running" for those not finished. */
const shownResult = "CASE WHEN kind = 'failed' THEN 'failed' WHEN result = '' THEN 'running' ELSE result END";

/**
 * What the task list can be ordered by, and the SQL that each name stands for. Queue and run times are computed as
 * the table shows them; an unknown one (still queued, still running) goes last in either direction.
 */
const taskOrders = {
  created: ["created"],
  type: ["type", "job"],
  job: ["job", "type"],
  result: [shownResult],
  queue: ["julianday(started) - julianday(created)"],
  run: ["julianday(ended) - julianday(started)"],
  id: ["id"],
  info: ["info"],
  kind: ["kind"],
} as const satisfies Record<string, readonly string[]>;
export type TaskSort = keyof typeof taskOrders;
export const taskSorts = Object.keys(taskOrders) as readonly TaskSort[];

export function isTaskSort(text: string): text is TaskSort {
  return Object.hasOwn(taskOrders, text);
}

/** The direction a column sorts in when first picked: times newest or longest first, text from A. */
export function firstDirection(sort: TaskSort): SortDirection {
  return sort === "created" || sort === "queue" || sort === "run" ? "desc" : "asc";
}

/** Tasks of each result in one hour of a day (`hour` 0–23, UTC). */
export interface HourCounts {
  readonly hour: number;
  readonly complete: number;
  readonly error: number;
  readonly alert: number;
  readonly warn: number;
  readonly running: number;
}
export const hourResults = ["complete", "error", "alert", "warn", "running"] as const;
type HourResult = (typeof hourResults)[number];

export interface TaskPage {
  /** Rows matching on that day, over all pages. */
  readonly total: number;
  readonly rows: readonly TaskRow[];
}

export type DayKind = "tasks" | "files" | "alerts";

export interface TableCounts {
  readonly tasks: number;
  readonly files: number;
  readonly alerts: number;
  readonly rejected: number;
  readonly phases: number;
  readonly days: number;
}

const maxPageSize = 1000;

const taskColumns = `key, id, type, job, info, meta, kind, subject, workflow, phase, created, published,
  data_time AS dataTime, result, msg, started, ended, done`;

/** The tasks created on a UTC day, filtered, one page of them, in the order asked for. */
export function tasksOn(db: Database, day: string, filter: TaskFilter = {}): TaskPage {
  const { clause, params } = taskWhere(day, filter);
  const order = orderBy(filter);
  const { n } = db.prepare(`SELECT count(*) AS n FROM tasks WHERE ${clause}`).get(params) as { n: number };
  const size = Math.min(maxPageSize, Math.max(1, Math.trunc(filter.pageSize ?? 100)));
  const page = Math.max(1, Math.trunc(filter.page ?? 1));
  const rows = db
    .prepare(`SELECT ${taskColumns} FROM tasks WHERE ${clause} ORDER BY ${order} LIMIT @size OFFSET @skip`)
    .all({ ...params, size, skip: (page - 1) * size }) as Omit<TaskRow, "queueMs" | "runMs">[];
  return { total: n, rows: rows.map(withSpans) };
}

/**
 * The tasks of a UTC day per hour and result, filtered as the list is: always 24 hours, empty ones at zero. Tasks
 * fall in the hour they were created, not the hour of their data time: the day is chosen by created time, and a
 * data time may be on another day or unknown. Failed-topic copies are left out: the task they copy counts already.
 */
export function hourlyOn(db: Database, day: string, filter: TaskFilter = {}): HourCounts[] {
  const { clause, params } = taskWhere(day, filter);
  const rows = db
    .prepare(
      `SELECT CAST(substr(created, 12, 2) AS INTEGER) AS hour, CASE WHEN result = '' THEN 'running' ELSE result END
          AS result, count(*) AS n
        FROM tasks WHERE ${clause} AND kind <> 'failed' GROUP BY 1, 2`,
    )
    .all(params) as { hour: number; result: string; n: number }[];
  const hours = Array.from({ length: 24 }, (_, hour) => ({
    hour,
    complete: 0,
    error: 0,
    alert: 0,
    warn: 0,
    running: 0,
  }));
  for (const row of rows) {
    const bucket = hours[row.hour];
    if (bucket && (hourResults as readonly string[]).includes(row.result))
      bucket[row.result as HourResult] += row.n;
  }
  return hours;
}

/**
 * Tasks emitted between `since` and `before` (UTC ISO) that have no done yet: the candidates for an "incomplete"
 * alert, less those that have one already (also from before a restart). Failed-topic copies are not tasks anyone
 * runs.
 */
export function unfinishedBetween(db: Database, since: string, before: string, limit = 1000): TaskRow[] {
  const rows = db
    .prepare(
      `SELECT ${taskColumns} FROM tasks t WHERE created >= ? AND created < ? AND result = '' AND done IS NULL
        AND kind <> 'failed' AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.kind = 'incomplete'
          AND a.task_id = t.id AND a.task_type = t.type AND a.job = t.job AND a.info = t.info)
        ORDER BY created LIMIT ?`,
    )
    .all(since, before, limit) as Omit<TaskRow, "queueMs" | "runMs">[];
  return rows.map(withSpans);
}

/** How many tasks of a UTC day have each result: "running" for those not finished, "failed" for failed-topic copies. */
export function resultsOn(db: Database, day: string): Record<string, number> {
  const [start, end] = range(day);
  const rows = db
    .prepare(
      `SELECT CASE WHEN kind = 'failed' THEN 'failed' ELSE result END AS result, count(*) AS n FROM tasks
        WHERE created >= ? AND created < ? GROUP BY 1`,
    )
    .all(start, end) as { result: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.result || "running", r.n]));
}

/** One task record by its key, or undefined. */
export function taskByKey(db: Database, key: string): TaskRow | undefined {
  const row = db.prepare(`SELECT ${taskColumns} FROM tasks WHERE key = ?`).get(key) as
    | Omit<TaskRow, "queueMs" | "runMs">
    | undefined;
  return row ? withSpans(row) : undefined;
}

/** Every task of a run (children and retries share the id), oldest first. */
export function tasksById(db: Database, id: string): TaskRow[] {
  const rows = db
    .prepare(`SELECT ${taskColumns} FROM tasks WHERE id = ? ORDER BY created, published, key`)
    .all(id) as Omit<TaskRow, "queueMs" | "runMs">[];
  return rows.map(withSpans);
}

/** Alerts recorded after `iso` (UTC ISO), oldest first. */
export function alertsSince(db: Database, iso: string): AlertRow[] {
  return db
    .prepare(
      `SELECT seq, kind, task_id AS taskId, task_type AS taskType, job, info, msg, data_time AS dataTime, created
        FROM alerts WHERE created > ? ORDER BY created, seq LIMIT 10000`,
    )
    .all(iso) as AlertRow[];
}

/** A phase that alerted for a data time and has since completed for it. */
export interface ResolvedRow {
  readonly taskType: string;
  readonly job: string;
  readonly dataTime: string;
  /** When it completed (the first completion after the alert). */
  readonly done: string;
}

/**
 * The phases that alerted for a data time after `alertedAfter` and completed for that same data time after both the
 * alert and `since` (a retry or a re-run that went well): what a digest reports as resolved.
 */
export function resolvedSince(db: Database, alertedAfter: string, since: string): ResolvedRow[] {
  return db
    .prepare(
      `SELECT a.task_type AS taskType, a.job AS job, a.data_time AS dataTime, min(t.done) AS done
        FROM alerts a JOIN tasks t ON t.type = a.task_type AND t.job = a.job AND t.data_time = a.data_time
        WHERE a.created > ? AND a.data_time IS NOT NULL AND a.data_time <> '' AND t.result = 'complete'
          AND t.done > a.created AND t.done > ?
        GROUP BY a.task_type, a.job, a.data_time ORDER BY a.task_type, a.job, a.data_time LIMIT 1000`,
    )
    .all(alertedAfter, since) as ResolvedRow[];
}

export function filesOn(db: Database, day: string): FileRow[] {
  const [start, end] = range(day);
  const rows = db
    .prepare(
      `SELECT seq, path, size, modified, checksum, source, format, status, data_time AS dataTime,
         task_ids AS taskIds, task_names AS taskNames, reason, received
       FROM files WHERE received >= ? AND received < ? ORDER BY received DESC, seq DESC`,
    )
    .all(start, end) as (Omit<FileRow, "taskIds" | "taskNames"> & { taskIds: string; taskNames: string })[];
  return rows.map((r) => ({ ...r, taskIds: jsonList(r.taskIds), taskNames: jsonList(r.taskNames) }));
}

export function alertsOn(db: Database, day: string): AlertRow[] {
  const [start, end] = range(day);
  const rows = db
    .prepare(
      `SELECT seq, kind, task_id AS taskId, task_type AS taskType, job, info, msg, data_time AS dataTime, created,
         EXISTS (SELECT 1 FROM tasks t WHERE t.type = a.task_type AND t.job = a.job
           AND t.data_time = a.data_time AND t.result = 'complete' AND t.done > a.created) AS resolved
       FROM alerts a WHERE created >= ? AND created < ? ORDER BY created DESC, seq DESC`,
    )
    .all(start, end) as (Omit<AlertRow, "resolved"> & { resolved: number })[];
  return rows.map((r) => ({ ...r, resolved: r.resolved === 1 }));
}

export function rejectedOn(db: Database, day: string): RejectedRow[] {
  const [start, end] = range(day);
  return db
    .prepare(
      `SELECT seq, subject, reason, data, received FROM rejected
       WHERE received >= ? AND received < ? ORDER BY received DESC, seq DESC`,
    )
    .all(start, end) as RejectedRow[];
}

/** The UTC days that have records of a kind, newest first (the calendar's highlights). */
export function daysWith(db: Database, kind: DayKind): string[] {
  if (kind !== "tasks" && kind !== "files" && kind !== "alerts") {
    throw new InputError(`unknown kind of day "${String(kind)}": want tasks, files or alerts`);
  }
  const rows = db.prepare(`SELECT date FROM days WHERE ${kind} = 1 ORDER BY date DESC`).all() as {
    date: string;
  }[];
  return rows.map((r) => r.date);
}

/** The phases of the last workflow load. */
export function phases(db: Database): PhaseRecord[] {
  const rows = db
    .prepare(
      `SELECT workflow, phase, topic, job, depends_on AS dependsOn, rule, template, retry, status, problems, loaded
       FROM phases ORDER BY workflow, phase`,
    )
    .all() as (Omit<PhaseRecord, "problems"> & { problems: string })[];
  return rows.map((r) => ({ ...r, problems: jsonList(r.problems) }));
}

/** Rows per table. */
export function counts(db: Database): TableCounts {
  const count = (table: string) =>
    (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    tasks: count("tasks"),
    files: count("files"),
    alerts: count("alerts"),
    rejected: count("rejected"),
    phases: count("phases"),
    days: count("days"),
  };
}

/** The WHERE clause of a day's tasks under a filter, with its named parameters. */
function taskWhere(day: string, filter: TaskFilter): { clause: string; params: Record<string, string> } {
  const [start, end] = range(day);
  const where = ["created >= @start", "created < @end"];
  const params: Record<string, string> = { start, end };
  for (const field of ["type", "job", "id"] as const) {
    const value = filter[field];
    if (value) {
      where.push(`${field} = @${field}`);
      params[field] = value;
    }
  }
  if (filter.result === "running") {
    // Not finished: no result yet, and not a copy on the failed topic (which no worker runs).
    where.push("result = '' AND kind <> 'failed'");
  } else if (filter.result) {
    where.push("result = @result");
    params.result = filter.result;
  }
  return { clause: where.join(" AND "), params };
}

/** The ORDER BY of a task list. Ties stay newest first, and the key last keeps pages from overlapping. */
function orderBy(filter: TaskFilter): string {
  const sort = filter.sort ?? "created";
  if (!isTaskSort(sort))
    throw new InputError(`sort: "${String(sort)}" is not one of ${taskSorts.join(", ")}`);
  const direction = filter.direction ?? firstDirection(sort);
  if (direction !== "asc" && direction !== "desc")
    throw new InputError(`direction: "${String(direction)}" is not one of asc, desc`);
  const keys = taskOrders[sort].map((sql) => `${sql} ${direction.toUpperCase()} NULLS LAST`);
  const ties = sort === "created" ? [`key ${direction.toUpperCase()}`] : ["created DESC", "key DESC"];
  return [...keys, ...ties].join(", ");
}

function range(day: string): readonly [string, string] {
  if (!isDay(day)) throw new InputError(`not a day: "${day}" (want YYYY-MM-DD)`);
  return dayRange(day);
}

function withSpans(row: Omit<TaskRow, "queueMs" | "runMs">): TaskRow {
  return { ...row, queueMs: spanMs(row.created, row.started), runMs: spanMs(row.started, row.ended) };
}

function jsonList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}
