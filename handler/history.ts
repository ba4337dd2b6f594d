/**
 * The read side the API needs, as an interface (the service binds it to the cache's read connection), and the
 * checking of what a request asks for: a day, a filter. A cache that is off or cannot be read is a 503 that says
 * why, never a crash.
 */
import {
  type AlertRow,
  type FileRow,
  firstDirection,
  type HourCounts,
  isTaskSort,
  type PhaseRecord,
  type RecapRow,
  SortDirection,
  type TaskFilter,
  type TaskPage,
  type TaskRow,
  taskSorts,
} from "../internal/cache/index.ts";
import { InputError } from "../internal/errors/index.ts";
import { fromWall } from "../internal/tmpl/index.ts";

export interface History {
  tasksOn(day: string, filter: TaskFilter): TaskPage;
  /** Tasks of the day per result ("running" for those not finished). */
  resultsOn(day: string): Readonly<Record<string, number>>;
  /** The day's tasks per hour (UTC) and result, filtered as the list is; 24 entries. */
  hourlyOn(day: string, filter: TaskFilter): readonly HourCounts[];
  tasksById(id: string): readonly TaskRow[];
  taskByKey(key: string): TaskRow | undefined;
  filesOn(day: string): readonly FileRow[];
  alertsOn(day: string): readonly AlertRow[];
  daysWith(kind: "tasks" | "files" | "alerts"): readonly string[];
  phases(): readonly PhaseRecord[];
  /** Flowlord's recap: the day's tasks per type:job, with run times and result counts. */
  recapOn(day: string): readonly RecapRow[];
}

/** The history cannot be read now: the cache is off, or degraded without a readable file. */
export class HistoryUnavailable extends Error {
  override readonly name = "HistoryUnavailable";
}

/**
 * A day from `?date=`: `YYYY-MM-DD`, an RFC 3339 time (its UTC day), a time without a zone (read in `zone`, the
 * configured `http.time_zone`, UTC by default), or a relative `-24h` / `-3d` back from now; today (UTC) when absent.
 * Days are UTC days, as the history stores them.
 */
export function parseDay(text: string | undefined, now: Date, zone = "UTC"): string {
  if (text === undefined || text === "") return now.toISOString().slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`))) return text;
  const relative = /^-(\d+)([hd])$/.exec(text);
  if (relative) {
    const hours = Number(relative[1]) * (relative[2] === "d" ? 24 : 1);
    return new Date(now.getTime() - hours * 3_600_000).toISOString().slice(0, 10);
  }
  const zoneless = /^(\d{4}-\d{2}-\d{2}T\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?)$/.exec(text);
  if (zoneless) {
    const wall = Date.parse(`${text}${text.length === 13 ? ":00" : ""}Z`);
    if (!Number.isNaN(wall)) return fromWall(new Date(wall), zone).toISOString().slice(0, 10);
  }
  const t = /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/i.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isNaN(t)) return new Date(t).toISOString().slice(0, 10);
  throw new InputError(
    `date: "${text}" is not a day; use YYYY-MM-DD, an RFC 3339 time (with or without its zone), or -24h / -7d`,
  );
}

/** A page of a list: its number from 1, and how many a page holds. */
export interface Page {
  readonly page: number;
  readonly size: number;
}

/**
 * `?page=` (from 1) and `?size=` (1 to 1000, `defaultSize` when absent). A page whose first row would lie past the
 * largest exact integer (2^53 - 1) is refused: no list is that long, and the database cannot be asked for it.
 */
export function pageOf(q: Record<string, string>, defaultSize = 100): Page {
  const size = q.size === undefined ? defaultSize : Number(q.size);
  if (!Number.isInteger(size) || size < 1 || size > 1000)
    throw new InputError(`size: "${q.size}" must be a whole number from 1 to 1000`);
  const page = q.page === undefined ? 1 : Number(q.page);
  if (!Number.isInteger(page) || page < 1)
    throw new InputError(`page: "${q.page}" is not a page number (1, 2 ...)`);
  if (!Number.isSafeInteger((page - 1) * size))
    throw new InputError(
      `page: "${q.page}" is past any list: at ${size} a page, the last possible page is ${Math.floor(Number.MAX_SAFE_INTEGER / size)}`,
    );
  return { page, size };
}

const results = new Set(["complete", "error", "alert", "warn", "running"]);

/**
 * The task filter from the query: type, job, id, result (or running), page, size, and the order (sort, direction),
 * which always comes back filled in so that a page can show which column it is sorted by.
 */
export function taskFilter(
  q: Record<string, string>,
): TaskFilter & Required<Pick<TaskFilter, "sort" | "direction">> {
  const { page, size } = pageOf(q);
  if (q.result !== undefined && !results.has(q.result))
    throw new InputError(`result: "${q.result}" is not one of complete, error, alert, warn, running`);
  // An empty value is what a form sends for "not chosen".
  const sort = q.sort || "created";
  if (!isTaskSort(sort)) throw new InputError(`sort: "${sort}" is not one of ${taskSorts.join(", ")}`);
  const direction = q.direction || firstDirection(sort);
  if (direction !== SortDirection.asc && direction !== SortDirection.desc)
    throw new InputError(`direction: "${direction}" is not one of asc, desc`);
  return {
    ...(q.type ? { type: q.type } : {}),
    ...(q.job ? { job: q.job } : {}),
    ...(q.id ? { id: q.id } : {}),
    ...(q.result ? { result: q.result } : {}),
    sort,
    direction,
    page,
    pageSize: size,
  };
}
