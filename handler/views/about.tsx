/**
 * The about page: what this taskmaster is and how it is doing. Version and uptime, NATS and readiness, each stream
 * and what waits for its consumer, the cache file and its mode, the last backup, the alert digest's frequency, the
 * latest actions people took (the audit trail), and the configuration with secrets hidden.
 */
import type { AboutInfo, EngineView, HistoryView, StateView } from "../deps.ts";
import { Badge, duration, Layout, when } from "./layout.tsx";

export const noAbout: AboutInfo = {
  streams: [],
  cacheFile: null,
  lastBackup: null,
  backupProblem: "",
  alerts: null,
  actions: [],
};

/** Bytes as people read them. */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let n = bytes / 1024;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

function Row(props: { name: string; children?: unknown }) {
  return (
    <tr>
      <th>{props.name}</th>
      <td>{props.children}</td>
    </tr>
  );
}

export function AboutPage(props: {
  state: StateView;
  version: string;
  uptimeSeconds: number;
  config: unknown;
  info: AboutInfo;
}) {
  const s = props.state;
  const { info } = props;
  const a = info.alerts;
  return (
    <Layout title="About" path="/web/about">
      <table>
        <tbody>
          <Row name="version">{props.version}</Row>
          <Row name="up since">
            {when(s.startedAt.toISOString())} UTC ({duration(props.uptimeSeconds * 1000)})
          </Row>
          <Row name="NATS">
            <Badge value={s.nats === "connected" ? "ok" : "error"} /> {s.nats}
          </Row>
          <Row name="ready">
            <Badge value={s.ready ? "ok" : "error"} />{" "}
            {s.ready ? "yes: NATS connected, workflows loaded" : "no"}
          </Row>
          <Row name="workflows">
            {s.workflows} workflows, {s.phases} phases
          </Row>
          <Row name="cache">
            <Badge value={s.cache.mode === "ok" ? "ok" : s.cache.mode === "off" ? "warn" : "error"} />{" "}
            {s.cache.mode} {s.cache.reason}
            {s.cache.pending > 0 ? ` (${s.cache.pending} records waiting)` : ""}
            {info.cacheFile ? (
              <div class="muted">
                {info.cacheFile.path}: {size(info.cacheFile.bytes)};{" "}
                {Object.entries(info.cacheFile.rows)
                  .map(([table, n]) => `${n} ${table}`)
                  .join(", ")}
              </div>
            ) : null}
          </Row>
          <Row name="last backup">
            {info.lastBackup
              ? `${when(info.lastBackup.at)} UTC: ${info.lastBackup.name} (${size(info.lastBackup.bytes)})`
              : "none since start"}
            {info.backupProblem ? <div class="error">{info.backupProblem}</div> : null}
          </Row>
          <Row name="alerts">
            {a
              ? `${a.slack ? "Slack on" : "Slack off (no slack.url)"}; digest every ${duration(a.frequencyMs)} now (${duration(a.minMs)} to ${duration(a.maxMs)}); ${a.pending} waiting; last digest ${a.lastDigest ? `${when(a.lastDigest)} UTC` : "none yet"}`
              : "unknown"}
          </Row>
        </tbody>
      </table>

      {s.engines ? <EnginesTable engines={s.engines} /> : null}
      {s.history ? <HistoryTable history={s.history} /> : null}

      <h2>Streams</h2>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>stream</th>
              <th>subjects</th>
              <th>messages</th>
              <th>size</th>
              <th>consumer: waiting, unacked, redelivered</th>
            </tr>
          </thead>
          <tbody>
            {info.streams.map((st) => (
              <tr>
                <td>{st.name}</td>
                <td class="wrap">
                  {st.problem ? <span class="error">{st.problem}</span> : st.subjects.join(" ")}
                </td>
                <td>{st.messages}</td>
                <td>{size(st.bytes)}</td>
                <td>
                  {st.consumers.map((c) => (
                    <div>
                      {c.name}: {c.pending}, {c.ackPending}, {c.redelivered}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>Recent actions</h2>
      {info.actions.length === 0 ? (
        <p class="muted">No one has acted through the dashboard or the API yet (or the cache is off).</p>
      ) : (
        <div class="scroll">
          <table id="actions">
            <thead>
              <tr>
                <th>when (UTC)</th>
                <th>action</th>
                <th>who</th>
                <th>what</th>
                <th>outcome</th>
                <th>tasks</th>
              </tr>
            </thead>
            <tbody>
              {info.actions.map((x) => (
                <tr>
                  <td>{when(x.at)}</td>
                  <td>{x.action}</td>
                  <td>{x.actor}</td>
                  <td class="wrap">
                    <code>{x.detail}</code>
                  </td>
                  <td>
                    <Badge value={x.outcome === "ok" ? "ok" : "error"} />{" "}
                    {x.outcome === "ok" ? "" : x.outcome}
                  </td>
                  <td>{x.tasks}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Configuration</h2>
      <p class="muted">Secrets are hidden.</p>
      <pre>{JSON.stringify(props.config, null, 2)}</pre>
    </Layout>
  );
}

/** The engines running, as their heartbeats tell them (served by the history). */
function EnginesTable(props: { engines: readonly EngineView[] }) {
  return (
    <>
      <h2>Engines</h2>
      {props.engines.length === 0 ? (
        <p class="error">No engine has written a heartbeat in the last 30 s: nothing is scheduling.</p>
      ) : (
        <div class="scroll">
          <table id="engines">
            <thead>
              <tr>
                <th>engine</th>
                <th>since (UTC)</th>
                <th>NATS</th>
                <th>workflows</th>
                <th>in flight</th>
              </tr>
            </thead>
            <tbody>
              {props.engines.map((e) => (
                <tr>
                  <td>
                    {e.host} pid {e.pid} <span class="muted">{e.version}</span>
                  </td>
                  <td>{when(e.since)}</td>
                  <td>
                    <Badge value={e.nats === "connected" ? "ok" : "error"} /> {e.nats}
                  </td>
                  <td>
                    {e.workflows} workflows, {e.phases} phases
                  </td>
                  <td>
                    {e.stuck ? <Badge value="error" /> : null} {e.inFlight} (oldest {duration(e.oldestMs)})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** The history's projection of the streams. */
function HistoryTable(props: { history: HistoryView }) {
  const h = props.history;
  return (
    <>
      <h2>History</h2>
      <table id="history">
        <tbody>
          <Row name="mode">
            <Badge value={h.mode === "ok" ? "ok" : h.mode === "degraded" ? "error" : "warn"} /> {h.mode}{" "}
            {h.reason}
            {h.rebuild ? ` (${h.rebuild.done} of ${h.rebuild.total} messages)` : ""}
          </Row>
          <Row name="behind">{h.behind} messages not projected yet</Row>
          <Row name="written">{h.written} rows since start</Row>
          <Row name="lost">
            {h.lost === 0 ? (
              "none"
            ) : (
              <span class="error">{h.lost} messages dropped by a stream before read</span>
            )}
          </Row>
          <Row name="file">{h.path}</Row>
        </tbody>
      </table>
    </>
  );
}
