/**
 * The recap of a UTC day: flowlord's `GetTaskRecapByDate` over the tasks created that day, grouped by `type:job`
 * (just `type` when there is no job). Run times come from completed tasks only, and the times listed for each result
 * are data times (what the task is for), not when it ran: a person reading the recap asks "which hours failed".
 * Copies on the failed topic are left out, since the task they copy is counted already. Formatting the recap
 * (durations, date ranges) is the caller's business.
 */
import type { Database } from "better-sqlite3";
import { InputError } from "../errors/index.ts";
import { dayRange, isDay, spanMs } from "./time.ts";

/** Tasks of one result: how many, and their data times (UTC ISO, the created time when no data time is known). */
export interface RecapCount {
  readonly count: number;
  readonly times: readonly string[];
}

export interface RecapRow {
  /** `type:job`, or `type` when the job is empty. */
  readonly key: string;
  readonly type: string;
  readonly job: string;
  /** Completed tasks whose run time is known: those min, max and avg are over (all 0 when none). */
  readonly runs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** The mean, at flowlord's 10 ms precision: each run time is truncated to 10 ms before averaging. */
  readonly avgMs: number;
  readonly complete: RecapCount;
  readonly error: RecapCount;
}

/** Flowlord's precision for the average run time. */
const precisionMs = 10;

interface RecapSource {
  readonly type: string;
  readonly job: string;
  readonly meta: string;
  readonly result: string;
  readonly created: string;
  readonly dataTime: string | null;
  readonly started: string | null;
  readonly ended: string | null;
}

interface Group {
  readonly type: string;
  readonly job: string;
  readonly runMs: number[];
  readonly complete: string[];
  readonly error: string[];
}

/** The recap of the tasks created on `day` (`YYYY-MM-DD`, UTC), one row per `type[:job]`, sorted by key. */
export function recapOn(db: Database, day: string): RecapRow[] {
  if (!isDay(day)) throw new InputError(`not a day: "${day}" (want YYYY-MM-DD)`);
  const [start, end] = dayRange(day);
  const rows = db
    .prepare(
      `SELECT type, job, meta, result, created, data_time AS dataTime, started, ended FROM tasks
        WHERE created >= ? AND created < ? AND kind <> 'failed'`,
    )
    .all(start, end) as RecapSource[];
  const groups = new Map<string, Group>();
  for (const row of rows) {
    // Flowlord's tasks often carry their job only in the meta.
    const job = row.job || jobOfMeta(row.meta);
    const key = job ? `${row.type}:${job}` : row.type;
    let group = groups.get(key);
    if (!group) {
      group = { type: row.type, job, runMs: [], complete: [], error: [] };
      groups.set(key, group);
    }
    add(group, row);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, g]) => toRow(key, g));
}

/**
 * Flowlord's `Stats.Add`: "error" is an error; running (""), alert and warn tasks are in neither list; any other
 * result completes, and only completed tasks give run times.
 */
function add(group: Group, row: RecapSource): void {
  const time = row.dataTime || row.created;
  if (row.result === "error") {
    group.error.push(time);
    return;
  }
  if (row.result === "" || row.result === "alert" || row.result === "warn") return;
  group.complete.push(time);
  const ms = spanMs(row.started, row.ended);
  if (ms !== null) group.runMs.push(ms);
}

function toRow(key: string, g: Group): RecapRow {
  const runs = g.runMs.length;
  // A loop, not Math.min(...runMs): a busy day's thousands of runs would overflow the call's arguments.
  let minMs = runs === 0 ? 0 : Number.POSITIVE_INFINITY;
  let maxMs = runs === 0 ? 0 : Number.NEGATIVE_INFINITY;
  let ticks = 0;
  for (const ms of g.runMs) {
    minMs = Math.min(minMs, ms);
    maxMs = Math.max(maxMs, ms);
    ticks += Math.trunc(ms / precisionMs);
  }
  return {
    key,
    type: g.type,
    job: g.job,
    runs,
    minMs,
    maxMs,
    avgMs: runs === 0 ? 0 : Math.trunc(ticks / runs) * precisionMs,
    complete: { count: g.complete.length, times: g.complete.sort() },
    error: { count: g.error.length, times: g.error.sort() },
  };
}

function jobOfMeta(meta: string): string {
  try {
    return new URLSearchParams(meta).get("job") ?? "";
  } catch {
    return "";
  }
}
