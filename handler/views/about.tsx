/**
 * The about page: what this taskmaster is and how it is doing. Version and uptime, NATS and readiness, each stream
 * and what waits for its consumer, the cache file and its mode, the last backup, the alert digest's frequency, the
 * latest actions people took (the audit trail), and the configuration with secrets hidden.
 */
import type { AboutInfo, StateView } from "../deps.ts";
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
