/**
 * Alerts, wired into the service: recorded in the cache (when there is one), digested on the Slack schedule, sent
 * through the bounded Slack sender when a webhook is configured; the last digest's time in the KV bucket
 * `taskmaster_alerts`, so a restart sends only what was not sent.
 */
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type AlertItem,
  type AlertService,
  cacheAlertStore,
  createSlackSender,
  type DigestCursor,
  type SlackSender,
  startAlerts,
} from "../../internal/alert/index.ts";
import { type AlertRow, alertsSince, unfinishedBetween } from "../../internal/cache/index.ts";
import type { Clock } from "../../internal/clock/index.ts";
import type { Config } from "../../internal/config/index.ts";
import type { EngineEvents } from "../../internal/engine/index.ts";
import type { Task } from "../../internal/task/index.ts";
import type { Cache } from "./cache.ts";

export const alertBucket = "taskmaster_alerts";

export interface Alerts {
  readonly service: AlertService;
  readonly slack: SlackSender | undefined;
  stop(): Promise<void>;
}

export async function startAlerting(
  config: Config,
  nc: NatsConnection,
  events: EngineEvents,
  cache: Cache | undefined,
  clock: Clock,
): Promise<Alerts> {
  const slack = slackSender(config, events);
  const store = cache
    ? cacheAlertStore(
        () => cache.store.database(),
        (a) => cache.store.alertRaised(alertRecord(a)),
        {
          alertsSince: (db, iso) => alertsSince(db, iso).map(alertItem),
          unfinished: (db, since, before) => unfinishedBetween(db, since, before).map(taskOf),
        },
      )
    : undefined;
  const service = await startAlerts({
    events,
    store,
    cursor: await kvCursor(nc, config.streams.replicas),
    send: slack ? (m) => slack.send(m) : undefined,
    prefix: config.slack.prefix,
    dashboardUrl: dashboardUrl(config),
    minFrequencyMs: config.slack.minFrequency,
    maxFrequencyMs: config.slack.maxFrequency,
    taskTtlMs: config.slack.taskTtl,
    clock,
  });
  return {
    service,
    slack,
    async stop() {
      await service.stop();
      await slack?.close();
    },
  };
}

/** The bounded Slack sender when a webhook is configured; its failures reported as errors. */
export function slackSender(config: Config, events: EngineEvents): SlackSender | undefined {
  if (!config.slack.url) return undefined;
  return createSlackSender({
    url: config.slack.url,
    ...(config.slack.channel ? { channel: config.slack.channel } : {}),
    onEvent: (e) => {
      if (e.type === "slackFailed")
        events.emit({ type: "error", where: "slack", error: new Error(e.reason) });
      // A refusal means a message was built beyond Slack's limits: delivered as plain text, but worth a look.
      if (e.type === "slackRefused")
        events.emit({
          type: "error",
          where: "slack",
          error: new Error(`${e.reason}; sent again as plain text`),
        });
    },
  });
}

/** The dashboard's pages as people reach them: `host`, the port of `http.listen`, `/web` (the digest adds `/alerts`). */
export function dashboardUrl(config: Config): string {
  return `http://${config.host}:${config.http.address.port}/web`;
}

/** The last digest's time in the KV bucket `taskmaster_alerts`; undefined when the bucket cannot be made. */
export async function kvCursor(nc: NatsConnection, replicas: number): Promise<DigestCursor | undefined> {
  try {
    const kv = await new Kvm(nc).create(alertBucket, { history: 1, replicas });
    return {
      async get() {
        const entry = await kv.get("digest");
        return entry?.operation === "PUT" && entry.value.length > 0 ? entry.string() : null;
      },
      async set(iso) {
        await kv.put("digest", iso);
      },
    };
  } catch {
    return undefined;
  }
}

function alertRecord(a: AlertItem) {
  return {
    kind: a.kind,
    taskId: a.taskId,
    taskType: a.taskType,
    job: a.job,
    info: a.info ?? "",
    msg: a.message,
    dataTime: a.dataTime?.toISOString() ?? "",
    created: a.at.toISOString(),
  };
}

export function alertItem(r: AlertRow): AlertItem {
  return {
    kind: r.kind,
    taskId: r.taskId,
    taskType: r.taskType,
    job: r.job,
    dataTime: r.dataTime ? new Date(r.dataTime) : null,
    message: r.msg,
    at: new Date(r.created),
  };
}

export function taskOf(r: {
  id: string;
  type: string;
  job: string;
  info: string;
  meta: string;
  created: string;
}): Task {
  return { id: r.id, type: r.type, job: r.job, info: r.info, meta: r.meta, created: r.created };
}
