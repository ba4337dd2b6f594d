/**
 * The history's alerts: the journal's alert entries as the follower projects them (into the alerts table, and here
 * to the digests), sent to Slack on the digest schedule with the cursor in the KV bucket `taskmaster_alerts`; the
 * tasks left unfinished past `slack.task_ttl` found in the history and published as journal alert entries (the
 * message id names the task, so a second look or a second history records it once), projected like any other;
 * likewise backups that keep failing, once per failing streak.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type AlertItem,
  AlertKinds,
  type Digests,
  type SlackSender,
  startDigests,
} from "../../internal/alert/index.ts";
import type { Publisher } from "../../internal/bus/index.ts";
import {
  alertsSince,
  type HistoryFollower,
  type ProjectedBatch,
  resolvedSince,
  unfinishedBetween,
} from "../../internal/cache/index.ts";
import type { Clock } from "../../internal/clock/index.ts";
import type { Config } from "../../internal/config/index.ts";
import type { EngineEvents } from "../../internal/engine/index.ts";
import {
  type AlertEntry,
  encodeEntry,
  journalMsgId,
  journalSubject,
  systemAlert,
  taskAlert,
} from "../../internal/journal/index.ts";
import type { Task } from "../../internal/task/index.ts";
import { alertItem, dashboardUrl, kvCursor, resolvedItem, slackSender, taskOf } from "./alerts.ts";
import { whenOpen } from "./historyread.ts";

export interface HistoryAlerts {
  readonly digests: Digests;
  readonly slack: SlackSender | undefined;
  stop(): Promise<void>;
}

export interface HistoryAlertDeps {
  readonly config: Config;
  readonly nc: NatsConnection;
  readonly follower: HistoryFollower;
  readonly publisher: Pick<Publisher, "publish">;
  readonly events: EngineEvents;
  readonly clock: Clock;
}

export async function startHistoryAlerts(deps: HistoryAlertDeps): Promise<HistoryAlerts> {
  const { config, follower, events } = deps;
  // Batches committed while the digests start are kept and handed over once they run (counted once).
  let digests: Digests | undefined;
  const early: ProjectedBatch[] = [];
  const off = follower.onProjected((batch) => {
    if (batch.alerts.length === 0) return;
    if (digests) digests.add(batch.alerts.map(projectedAlert), batch.replay);
    else early.push(batch);
  });
  const slack = slackSender(config, events);
  try {
    digests = await startDigests({
      recorded: {
        since: (iso) => whenOpen(follower, (db) => alertsSince(db, iso).map(alertItem), []),
        resolved: (alertedAfter, since) =>
          whenOpen(follower, (db) => resolvedSince(db, alertedAfter, since).map(resolvedItem), []),
        unfinished: (since, before) =>
          whenOpen(follower, (db) => unfinishedBetween(db, since, before).map(taskOf), []),
      },
      raise: (alert, task) => publishAlert(deps.publisher, alert, task),
      cursor: await kvCursor(deps.nc, config.streams.replicas),
      send: slack ? (m) => slack.send(m) : undefined,
      prefix: config.slack.prefix,
      dashboardUrl: dashboardUrl(config),
      minFrequencyMs: config.slack.minFrequency,
      maxFrequencyMs: config.slack.maxFrequency,
      taskTtlMs: config.slack.taskTtl,
      clock: deps.clock,
      onError: (where, error) => events.emit({ type: "error", where, error }),
    });
  } catch (err) {
    off();
    await slack?.close();
    throw err;
  }
  for (const batch of early.splice(0)) digests.add(batch.alerts.map(projectedAlert), batch.replay);
  // Backups that keep failing are worth a person's look: on the journal once per failing streak.
  const offBackups = events.on("backupFailing", (e) => {
    const message = `history backups keep failing (${e.attempts} attempts since ${e.since}): ${e.error.message}`;
    const entry = systemAlert(AlertKinds.backupFailing, "backup", message);
    deps.publisher
      .publish(
        journalSubject("alert"),
        encodeEntry(entry, deps.clock.now()),
        journalMsgId("alert", "backup", e.since),
      )
      .catch((error: Error) => events.emit({ type: "error", where: "recording the backup alert", error }));
  });
  const running = digests;
  return {
    digests: running,
    slack,
    async stop() {
      off();
      offBackups();
      await running.stop();
      await slack?.close();
    },
  };
}

/** An alert entry as the digests read it. */
export function projectedAlert(entry: AlertEntry & { readonly at: string }): AlertItem {
  const { task } = entry;
  return {
    kind: entry.kind,
    taskType: task.type,
    job: task.job,
    taskId: task.id,
    info: task.info,
    dataTime: task.dataTime ? new Date(task.dataTime) : null,
    message: entry.message,
    at: new Date(entry.at),
  };
}

/** An alert the history raised, on the journal: the same task's alert of the same kind has the same message id. */
async function publishAlert(
  publisher: Pick<Publisher, "publish">,
  alert: AlertItem,
  task: Task,
): Promise<void> {
  const entry = taskAlert(alert.kind, task, alert.message);
  const id = journalMsgId(
    "alert",
    alert.kind,
    task.id ?? "",
    task.type,
    task.job ?? "",
    task.info,
    task.created ?? "",
  );
  await publisher.publish(journalSubject("alert"), encodeEntry(entry, alert.at), id);
}
