/**
 * What the history writes for one stored message of each stream it follows: a task (keyed by its Nats-Msg-Id, with
 * the kind, workflow and phase its headers name), a done, a journal entry (an alert, a file, a refused message, a
 * set of phases) or a person's action from the audit stream. Pure: the follower hands over what it read, and gets the
 * records `writes.ts` takes.
 *
 * A task someone else published carries no `Taskmaster-*` headers: its kind and workflow are read from its meta as
 * flowlord writes it, and its phase is `type` or `type:job`.
 */

import type { AlertEntry, JournalEntry } from "../journal/index.ts";
import { systemAlert, TaskHeader } from "../journal/index.ts";
import { parseMeta, parseTask } from "../task/index.ts";
import { taskTime } from "../tmpl/index.ts";
import { doneRecord } from "./taskrecord.ts";
import type { ActionRecord, CacheOp, FileStatus, PhaseStatus, TaskKind, TaskRecord } from "./types.ts";

/** A message as a stream stored it: what of a `JsMsg` the records are made from. */
export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers?: { get(name: string): string } | undefined;
  readonly info: { readonly timestampNanos: number };
}

/**
 * The time a message was stored, as ISO text. Messages of a burst share their millisecond: one text is made per
 * millisecond, not a Date and a `toISOString` per message.
 */
export function storedTimes(): (m: StoredMessage) => string {
  let lastMs = Number.NaN;
  let lastText = "";
  return (m) => {
    const ms = Math.floor(m.info.timestampNanos / 1e6);
    if (ms !== lastMs) {
      lastMs = ms;
      lastText = new Date(ms).toISOString();
    }
    return lastText;
  };
}

/** The record of a task message; `stored` is when its stream stored it. Throws when the message is not a task. */
export function taskOp(m: StoredMessage, stored: string): CacheOp {
  const task = parseTask(m.data);
  const meta = parseMeta(task.meta);
  const job = task.job || meta.get("job") || "";
  const headerKind = m.headers?.get(TaskHeader.kind) ?? "";
  const record: TaskRecord = {
    key: m.headers?.get("Nats-Msg-Id") || `${m.subject}:${m.seq}`,
    id: task.id ?? "",
    type: task.type,
    job,
    info: task.info,
    meta: task.meta ?? "",
    kind: headerKind ? (headerKind as TaskKind) : kindOf(meta),
    subject: m.subject,
    workflow: headerKind ? (m.headers?.get(TaskHeader.workflow) ?? "") : (meta.get("workflow") ?? ""),
    phase: headerKind ? (m.headers?.get(TaskHeader.phase) ?? "") : job ? `${task.type}:${job}` : task.type,
    created: task.created || stored,
    published: stored,
    dataTime: dataTimeOf(meta, task.info),
  };
  return { op: "task", record };
}

/** The record of a done message. Throws when the message is not a task. */
export function doneOp(m: StoredMessage, stored: string): CacheOp {
  return { op: "done", record: doneRecord(parseTask(m.data), stored) };
}

/** What kind of emission a task was, from the meta taskmaster (and flowlord) writes. */
export function kindOf(meta: ReadonlyMap<string, string>): TaskKind {
  if (meta.get("retry") === "failed") return "failed";
  if (meta.has("retry")) return "retry";
  if (meta.has("file")) return "file";
  if (meta.has("cron")) return "cron";
  return "unknown";
}

function dataTimeOf(meta: ReadonlyMap<string, string>, info: string): string {
  try {
    return taskTime(meta, info)?.toISOString() ?? "";
  } catch {
    return "";
  }
}

/** The row a journal entry makes, or null for the entries the history has no table for (cron, skipped ...). */
export function entryOp(entry: JournalEntry): CacheOp | null {
  switch (entry.type) {
    case "alert":
      return alertOp(entry);
    case "file":
      return {
        op: "file",
        record: {
          path: entry.path,
          size: entry.size,
          modified: entry.modified,
          checksum: entry.checksum,
          source: entry.source,
          format: entry.format,
          status: entry.status as FileStatus,
          dataTime: entry.dataTime,
          taskIds: entry.tasks.map((t) => t.id),
          taskNames: entry.tasks.map((t) => t.name),
          reason: entry.reason,
          received: entry.at,
        },
      };
    case "rejected":
      return {
        op: "rejected",
        record: { subject: entry.subject, reason: entry.reason, data: entry.data, received: entry.at },
      };
    case "reload":
      return {
        op: "phases",
        records: entry.phases.map((p) => ({ ...p, status: p.status as PhaseStatus, loaded: entry.at })),
      };
    default:
      return null;
  }
}

/**
 * The alert an entry that is not itself an alert stands for: a refused message, missed cron slots skipped by the
 * catch-up rule, a refused reload. Someone should look at each, so the history records and sends them as alerts.
 */
export function impliedAlert(entry: JournalEntry): (AlertEntry & { readonly at: string }) | null {
  const alert = (kind: string, what: string, message: string) => ({
    ...systemAlert(kind, what, message),
    at: entry.at,
  });
  switch (entry.type) {
    case "rejected":
      return alert(
        "rejected-message",
        entry.subject,
        `message rejected on ${entry.subject}: ${entry.reason}`,
      );
    case "skipped":
      return alert(
        "cron-skipped",
        entry.phase,
        `${entry.workflow}: ${entry.phase}: ${entry.skipped} missed cron slot(s) skipped by the catch-up rule`,
      );
    case "reload-rejected":
      return alert(
        "workflows-rejected",
        "workflows",
        `workflow reload refused: ${entry.problems.join("; ")}`,
      );
    default:
      return null;
  }
}

/** An alert entry as the alerts table holds it. */
export function alertOp(entry: AlertEntry & { readonly at: string }): CacheOp {
  return {
    op: "alert",
    record: {
      kind: entry.kind,
      taskId: entry.task.id,
      taskType: entry.task.type,
      job: entry.task.job,
      info: entry.task.info,
      msg: entry.message,
      dataTime: entry.task.dataTime,
      created: entry.at,
    },
  };
}

const decoder = new TextDecoder();

/** An audit record as the service stores it on the audit stream. Throws when a field is missing. */
export function actionOf(data: Uint8Array): ActionRecord {
  const r = JSON.parse(decoder.decode(data)) as Record<string, unknown>;
  const text = (k: string) => {
    if (typeof r[k] !== "string") throw new Error(`audit record without ${k}`);
    return r[k];
  };
  return {
    action: text("action"),
    actor: text("actor"),
    detail: text("detail"),
    outcome: text("outcome"),
    tasks: typeof r.tasks === "number" ? r.tasks : 0,
    at: text("at"),
  };
}
