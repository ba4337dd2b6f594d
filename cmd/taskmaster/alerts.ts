/**
 * What both the alert digests and the history share of alerting: the bounded Slack sender built from the config, the
 * dashboard's address for links, the last digest's time in the KV bucket `taskmaster_alerts` (so a restart sends only
 * what was not sent), and an alert row as the digest reads it.
 */
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type AlertItem,
  createSlackSender,
  type DigestCursor,
  type Resolved,
  type SlackSender,
} from "../../internal/alert/index.ts";
import type { AlertRow, ResolvedRow } from "../../internal/cache/index.ts";
import type { Config } from "../../internal/config/index.ts";
import type { EngineEvents } from "../../internal/engine/index.ts";
import type { Task } from "../../internal/task/index.ts";

export const alertBucket = "taskmaster_alerts";

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

/** A phase that resolved, as the digest lists it. */
export function resolvedItem(r: ResolvedRow): Resolved {
  return { taskType: r.taskType, job: r.job, dataTime: new Date(r.dataTime), at: new Date(r.done) };
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
