/**
 * The history's gauges for Prometheus: its connection, the projection (mode, lag in messages, each stream's
 * position, rows written, messages
 * the streams dropped before it read them, a rebuild's progress), the backups, the alerts waiting for the digest and
 * the engines whose heartbeats are current. Pure: the history hands over what it reads.
 */

export interface HistoryGauges {
  readonly natsConnected: number;
  /** starting, rebuilding, ok, degraded or stopped. */
  readonly mode: string;
  readonly behind: number;
  /** Each stream's last sequence the history has projected (and stored with its rows), by stream name. */
  readonly positions: Readonly<Record<string, number>>;
  readonly written: number;
  readonly lost: number;
  readonly rebuild?: { readonly done: number; readonly total: number } | undefined;
  readonly backupFailing: number;
  /** When the last backup was taken (seconds since the epoch); 0 for none since start. */
  readonly lastBackupSeconds: number;
  readonly alertsPending: number;
  readonly engines: number;
}

const modes = ["starting", "rebuilding", "ok", "degraded", "stopped"] as const;

export function renderHistoryMetrics(g: HistoryGauges): string {
  const metric = (name: string, type: "gauge" | "counter", help: string, lines: readonly string[]) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
    ...lines,
  ];
  const gauge = (name: string, help: string, value: number) =>
    metric(name, "gauge", help, [`${name} ${value}`]);
  return [
    ...gauge("taskmaster_nats_connected", "1 while connected to NATS.", g.natsConnected),
    ...metric(
      "taskmaster_history_mode",
      "gauge",
      "1 for the mode the history is in.",
      modes.map((m) => `taskmaster_history_mode{mode="${m}"} ${g.mode === m ? 1 : 0}`),
    ),
    ...gauge(
      "taskmaster_history_behind_messages",
      "Messages the streams held at the last look that the history has not projected yet (its lag).",
      g.behind,
    ),
    ...metric(
      "taskmaster_history_position",
      "gauge",
      "The last sequence of each stream the history has projected (its lag in time: when the next was stored).",
      Object.entries(g.positions).map(
        ([stream, seq]) => `taskmaster_history_position{stream="${stream}"} ${seq}`,
      ),
    ),
    ...metric(
      "taskmaster_history_rows_written_total",
      "counter",
      "Rows the history wrote since it started.",
      [`taskmaster_history_rows_written_total ${g.written}`],
    ),
    ...gauge(
      "taskmaster_history_lost_messages",
      "Messages a stream dropped (its age or size limit) before the history read them, since its file was made.",
      g.lost,
    ),
    ...gauge(
      "taskmaster_history_rebuild_done_messages",
      "While rebuilding: messages projected so far.",
      g.rebuild?.done ?? 0,
    ),
    ...gauge(
      "taskmaster_history_rebuild_total_messages",
      "While rebuilding: messages the streams held when it began.",
      g.rebuild?.total ?? 0,
    ),
    ...gauge("taskmaster_backup_failing", "1 while history backups keep failing.", g.backupFailing),
    ...gauge(
      "taskmaster_backup_last_success_timestamp_seconds",
      "When the last history backup was taken; 0 for none since start.",
      g.lastBackupSeconds,
    ),
    ...gauge("taskmaster_alerts_pending", "Alerts waiting for the next digest.", g.alertsPending),
    ...gauge("taskmaster_engines", "Engines whose heartbeat is current.", g.engines),
    "",
  ].join("\n");
}
