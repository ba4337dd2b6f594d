/**
 * The dashboard's pages, rendered on the server from the history: tasks of a day (counts, filters, queue and run
 * times) and a run's chain, files, alerts grouped as in the digest, workflow phases, and about.
 */
import type { AlertRow, FileRow, PhaseRecord, TaskPage, TaskRow } from "../../internal/cache/index.ts";
import type { StateView } from "../app.ts";
import { Badge, DayPicker, duration, Layout, when } from "./layout.tsx";

export interface TasksView {
  readonly day: string;
  readonly days: readonly string[];
  readonly page: TaskPage;
  readonly filter: Record<string, string>;
  readonly counts: Readonly<Record<string, number>>;
}

function TaskRows(props: { rows: readonly TaskRow[] }) {
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>result</th>
            <th>task</th>
            <th>id</th>
            <th>info</th>
            <th>created (UTC)</th>
            <th>queued</th>
            <th>ran</th>
            <th>kind</th>
            <th>msg</th>
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
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TasksPage(props: TasksView) {
  const f = props.filter;
  const pageNo = Number(f.page ?? 1);
  const pages = Math.max(1, Math.ceil(props.page.total / 100));
  const link = (page: number) =>
    `/web/tasks?${new URLSearchParams({ ...f, date: props.day, page: String(page) }).toString()}`;
  return (
    <Layout title={`Tasks of ${props.day}`} path="/web/tasks">
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
      <TaskRows rows={props.page.rows} />
      <p>
        {pageNo > 1 ? <a href={link(pageNo - 1)}>← newer</a> : null} page {pageNo} of {pages}{" "}
        {pageNo < pages ? <a href={link(pageNo + 1)}>older →</a> : null}
      </p>
    </Layout>
  );
}

export function RunPage(props: { id: string; rows: readonly TaskRow[] }) {
  return (
    <Layout title={`Run ${props.id}`} path="/web/tasks">
      <p class="muted">
        Every task that shares this id: the parent, its children and their retries, oldest first.
      </p>
      <TaskRows rows={props.rows} />
    </Layout>
  );
}

export function FilesPage(props: { day: string; days: readonly string[]; files: readonly FileRow[] }) {
  return (
    <Layout title={`Files of ${props.day}`} path="/web/files">
      <DayPicker day={props.day} days={props.days} action="/web/files" />
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

export function AlertsPage(props: { day: string; days: readonly string[]; alerts: readonly AlertRow[] }) {
  const groups = new Map<string, AlertRow[]>();
  for (const a of props.alerts) {
    const key = a.job ? `${a.taskType}:${a.job}` : a.taskType;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const sorted = [...groups].sort((x, y) => y[1].length - x[1].length || x[0].localeCompare(y[0]));
  return (
    <Layout title={`Alerts of ${props.day}`} path="/web/alerts">
      <DayPicker day={props.day} days={props.days} action="/web/alerts" />
      <div class="counts">
        {sorted.map(([key, rows]) => (
          <span>
            <b>{key}</b> {rows.length}
          </span>
        ))}
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
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}

export function WorkflowsPage(props: { phases: readonly PhaseRecord[] }) {
  return (
    <Layout title="Workflows" path="/web/workflows">
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>status</th>
              <th>workflow</th>
              <th>phase</th>
              <th>depends on</th>
              <th>rule</th>
              <th>template</th>
              <th>retry</th>
              <th>problems</th>
            </tr>
          </thead>
          <tbody>
            {props.phases.map((p) => (
              <tr>
                <td>
                  <Badge value={p.status} />
                </td>
                <td>{p.workflow}</td>
                <td>{p.phase}</td>
                <td>{p.dependsOn}</td>
                <td class="wrap">{p.rule}</td>
                <td class="wrap">{p.template}</td>
                <td>{p.retry}</td>
                <td class="wrap">{p.problems.join("; ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}

export function AboutPage(props: {
  state: StateView;
  version: string;
  uptimeSeconds: number;
  config: unknown;
}) {
  const s = props.state;
  return (
    <Layout title="About" path="/web/about">
      <table>
        <tbody>
          <tr>
            <th>version</th>
            <td>{props.version}</td>
          </tr>
          <tr>
            <th>up since</th>
            <td>
              {when(s.startedAt.toISOString())} ({duration(props.uptimeSeconds * 1000)})
            </td>
          </tr>
          <tr>
            <th>NATS</th>
            <td>
              <Badge value={s.nats === "connected" ? "ok" : "error"} /> {s.nats}
            </td>
          </tr>
          <tr>
            <th>ready</th>
            <td>{s.ready ? "yes" : "no"}</td>
          </tr>
          <tr>
            <th>workflows</th>
            <td>
              {s.workflows} workflows, {s.phases} phases
            </td>
          </tr>
          <tr>
            <th>cache</th>
            <td>
              <Badge value={s.cache.mode === "ok" ? "ok" : "error"} /> {s.cache.mode} {s.cache.reason}
              {s.cache.pending > 0 ? ` (${s.cache.pending} records waiting)` : ""}
            </td>
          </tr>
        </tbody>
      </table>
      <h2>Configuration</h2>
      <p class="muted">Secrets are hidden.</p>
      <pre>{JSON.stringify(props.config, null, 2)}</pre>
    </Layout>
  );
}
