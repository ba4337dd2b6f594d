/**
 * The day pages, rendered on the server from the history: tasks of a day (counts, an hourly chart, filters, columns
 * that sort, queue and run times), files, and alerts grouped as in the digest, each with the month calendar; and the
 * task table the run page shares. The run, workflows, backload and about pages have files of their own.
 */

import type { Child } from "hono/jsx";
import { printDates } from "../../internal/alert/index.ts";
import {
  type AlertRow,
  type FileRow,
  firstDirection,
  type HourCounts,
  type SortDirection,
  type TaskPage,
  type TaskRow,
  type TaskSort,
} from "../../internal/cache/index.ts";
import { Calendar } from "./calendar.tsx";
import { HourlyChart } from "./chart.tsx";
import { Badge, DayPicker, duration, Layout, when } from "./layout.tsx";

export interface TasksView {
  readonly day: string;
  readonly days: readonly string[];
  /** Today (UTC), for the calendar. */
  readonly today: string;
  readonly page: TaskPage;
  /** The request's parameters worth keeping in links (filters, page, order), without the date. */
  readonly filter: Record<string, string>;
  readonly counts: Readonly<Record<string, number>>;
  readonly hours: readonly HourCounts[];
  /** The order the rows are in. */
  readonly order: { readonly sort: TaskSort; readonly direction: SortDirection };
}

/** The list's order and the link that orders it by a column; absent where the order is fixed (a run). */
interface Sorting {
  readonly sort: TaskSort;
  readonly direction: SortDirection;
  readonly href: (sort: TaskSort) => string;
}

/** The columns of the task list, with the order each one's header asks for. */
const taskColumns: readonly (readonly [string, TaskSort | undefined])[] = [
  ["result", "result"],
  ["task", "type"],
  ["id", "id"],
  ["info", "info"],
  ["created (UTC)", "created"],
  ["queued", "queue"],
  ["ran", "run"],
  ["kind", "kind"],
  ["msg", undefined],
];

function Header(props: { label: string; sort: TaskSort | undefined; sorting: Sorting | undefined }) {
  const { sort, sorting } = props;
  if (!sort || !sorting) return <th>{props.label}</th>;
  const active = sorting.sort === sort;
  const ascending = sorting.direction === "asc";
  return (
    <th aria-sort={active ? (ascending ? "ascending" : "descending") : undefined}>
      <a href={sorting.href(sort)}>
        {props.label}
        {active ? <span aria-hidden="true">{ascending ? " ▲" : " ▼"}</span> : null}
      </a>
    </th>
  );
}

/** The task table; `actions` adds a last column of buttons (the run page's retry and re-run). */
export function TaskRows(props: {
  rows: readonly TaskRow[];
  sorting?: Sorting;
  actions?: (task: TaskRow) => Child;
}) {
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            {taskColumns.map(([label, sort]) => (
              <Header label={label} sort={sort} sorting={props.sorting} />
            ))}
            {props.actions ? <th>actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((t) => (
            <tr>
              <td>
                <Badge value={t.kind === "failed" ? "failed" : t.result} />
              </td>
              <td>{t.job ? `${t.type}:${t.job}` : t.type}</td>
              <td>
                <a href={`/web/tasks/${encodeURIComponent(t.id)}`}>{t.id.slice(0, 8)}</a>
              </td>
              <td class="wrap">{t.info}</td>
              <td>{when(t.created)}</td>
              <td>{duration(t.queueMs)}</td>
              <td>{duration(t.runMs)}</td>
              <td>{t.kind}</td>
              <td class="wrap">{t.msg}</td>
              {props.actions ? <td>{props.actions(t)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TasksPage(props: TasksView) {
  // Links to another day, order or filter start again at page 1.
  const f = Object.fromEntries(Object.entries(props.filter).filter(([name]) => name !== "page"));
  const { sort, direction } = props.order;
  const pageNo = Number(props.filter.page ?? 1);
  const pages = Math.max(1, Math.ceil(props.page.total / 100));
  const url = (params: Record<string, string>) =>
    `/web/tasks?${new URLSearchParams({ ...params, date: props.day }).toString()}`;
  const link = (page: number) => url({ ...f, page: String(page) });
  // A new column starts in its first direction (times longest first, text from A); the same column flips.
  const flip = direction === "asc" ? "desc" : "asc";
  const sorting: Sorting = {
    sort,
    direction,
    href: (column) => url({ ...f, sort: column, direction: column === sort ? flip : firstDirection(column) }),
  };
  const newestFirst = sort === "created" && direction === "desc";
  return (
    <Layout title={`Tasks of ${props.day}`} path="/web/tasks">
      <div class="day-nav">
        <Calendar day={props.day} days={props.days} today={props.today} path="/web/tasks" params={f} />
        <div class="summary">
          <form class="filters" method="get" action="/web/tasks">
            <label>
              day
              <input type="date" name="date" value={props.day} />
            </label>
            <label>
              type
              <input name="type" value={f.type ?? ""} size={12} />
            </label>
            <label>
              job
              <input name="job" value={f.job ?? ""} size={10} />
            </label>
            <label>
              result
              <select name="result">
                {["", "complete", "error", "alert", "warn", "running"].map((r) => (
                  <option value={r} selected={(f.result ?? "") === r}>
                    {r || "any"}
                  </option>
                ))}
              </select>
            </label>
            <label>
              id
              <input name="id" value={f.id ?? ""} size={14} />
            </label>
            {/* Filtering keeps the order the list is in. */}
            {f.sort ? <input type="hidden" name="sort" value={f.sort} /> : null}
            {f.direction ? <input type="hidden" name="direction" value={f.direction} /> : null}
            <button type="submit">filter</button>
          </form>
          <div class="counts">
            {Object.entries(props.counts).map(([result, n]) => (
              <span>
                <Badge value={result} /> {n}
              </span>
            ))}
            <span class="muted">{props.page.total} shown by the filter</span>
          </div>
          <HourlyChart day={props.day} hours={props.hours} />
        </div>
      </div>
      <TaskRows rows={props.page.rows} sorting={sorting} />
      <p>
        {pageNo > 1 ? <a href={link(pageNo - 1)}>{newestFirst ? "← newer" : "← previous"}</a> : null} page{" "}
        {pageNo} of {pages}{" "}
        {pageNo < pages ? <a href={link(pageNo + 1)}>{newestFirst ? "older →" : "next →"}</a> : null}
      </p>
    </Layout>
  );
}

export function FilesPage(props: {
  day: string;
  days: readonly string[];
  today: string;
  files: readonly FileRow[];
}) {
  return (
    <Layout title={`Files of ${props.day}`} path="/web/files">
      <div class="day-nav">
        <Calendar day={props.day} days={props.days} today={props.today} path="/web/files" params={{}} />
        <DayPicker day={props.day} action="/web/files" />
      </div>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>status</th>
              <th>path</th>
              <th>size</th>
              <th>modified</th>
              <th>data time</th>
              <th>source</th>
              <th>tasks or reason</th>
              <th>received</th>
            </tr>
          </thead>
          <tbody>
            {props.files.map((file) => (
              <tr>
                <td>
                  <Badge value={file.status} />
                </td>
                <td class="wrap">{file.path}</td>
                <td>{file.size}</td>
                <td>{when(file.modified)}</td>
                <td>{when(file.dataTime)}</td>
                <td>{file.source}</td>
                <td class="wrap">
                  {file.taskNames.length > 0
                    ? file.taskNames.map((name, i) => (
                        <div>
                          <a href={`/web/tasks/${encodeURIComponent(file.taskIds[i] ?? "")}`}>{name}</a>
                        </div>
                      ))
                    : file.reason}
                </td>
                <td>{when(file.received)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}

export function AlertsPage(props: {
  day: string;
  days: readonly string[];
  today: string;
  alerts: readonly AlertRow[];
}) {
  const groups = new Map<string, AlertRow[]>();
  for (const a of props.alerts) {
    const key = a.job ? `${a.taskType}:${a.job}` : a.taskType;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const sorted = [...groups].sort((x, y) => y[1].length - x[1].length || x[0].localeCompare(y[0]));
  return (
    <Layout title={`Alerts of ${props.day}`} path="/web/alerts">
      <div class="day-nav">
        <Calendar day={props.day} days={props.days} today={props.today} path="/web/alerts" params={{}} />
        <DayPicker day={props.day} action="/web/alerts" />
      </div>
      <div class="cards">
        {sorted.map(([key, rows]) => {
          const times = rows.flatMap((r) => (r.dataTime ? [new Date(r.dataTime)] : []));
          const kinds = [...new Set(rows.map((r) => r.kind))].join(", ");
          const open = rows.filter((r) => !r.resolved).length;
          return (
            <div class={`card${open === 0 ? " resolved" : ""}`}>
              <b>{key}</b> {rows.length} × {kinds}
              {times.length > 0 ? <div class="muted">data times: {printDates(times)}</div> : null}
              <div>{open === 0 ? <Badge value="resolved" /> : `${open} open`}</div>
            </div>
          );
        })}
      </div>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>when (UTC)</th>
              <th>kind</th>
              <th>task</th>
              <th>data time</th>
              <th>message</th>
              <th>resolved</th>
            </tr>
          </thead>
          <tbody>
            {props.alerts.map((a) => (
              <tr>
                <td>{when(a.created)}</td>
                <td>{a.kind}</td>
                <td>
                  {a.taskId ? (
                    <a href={`/web/tasks/${encodeURIComponent(a.taskId)}`}>{a.taskType}</a>
                  ) : (
                    a.taskType
                  )}
                  {a.job ? `:${a.job}` : ""}
                </td>
                <td>{when(a.dataTime)}</td>
                <td class="wrap">{a.msg}</td>
                <td>{a.resolved ? <Badge value="resolved" /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
