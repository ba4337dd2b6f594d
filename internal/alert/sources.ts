/**
 * What becomes an alert: the service's events that mean someone should look. Pure mapping; the alert service
 * records, digests and sends them. A task that returned `alert` is the one kind sent at once.
 */
import {
  type EngineEvent,
  engineStuckKind,
  notStoredMessage,
  publishAlertAttempt,
  publishFailedKind,
  stuckMessage,
} from "../engine/index.ts";
import { formatProblem } from "../errors/index.ts";
import { AlertKind } from "../plan/index.ts";
import { parseMeta, type Task } from "../task/index.ts";
import { taskTime } from "../tmpl/index.ts";
import type { AlertItem } from "./digest.ts";

/** The planner's alert kinds, and those the service raises itself. */
export const AlertKinds = {
  ...AlertKind,
  publishFailed: publishFailedKind,
  engineStuck: engineStuckKind,
  incomplete: "incomplete",
  rejected: "rejected-message",
  cronSkipped: "cron-skipped",
  cacheDegraded: "cache-degraded",
  backupFailing: "backup-failing",
  workflowsRejected: "workflows-rejected",
} as const;

/** The alert an event raises, or null for the events that raise none. */
export function alertOf(event: EngineEvent, at: Date): AlertItem | null {
  switch (event.type) {
    case "alertRaised":
      return { ...ofTask(event.alert.task), kind: event.alert.kind, message: event.alert.message, at };
    case "messageRejected":
      return system(
        AlertKinds.rejected,
        event.subject,
        `message rejected on ${event.subject}: ${event.reason}`,
        at,
      );
    case "cronSkipped":
      return system(
        AlertKinds.cronSkipped,
        event.phase,
        `${event.workflow}: ${event.phase}: ${event.skipped} missed cron slot(s) skipped by the catch-up rule`,
        at,
      );
    case "cacheState":
      return event.mode === "degraded" ? system(AlertKinds.cacheDegraded, "cache", event.reason, at) : null;
    case "backupFailing":
      return system(
        AlertKinds.backupFailing,
        "backup",
        `cache backups keep failing (${event.attempts} attempts since ${event.since}): ${event.error.message}`,
        at,
      );
    case "workflowsRejected": {
      const errors = event.problems.filter((p) => p.severity === "error").map(formatProblem);
      return system(
        AlertKinds.workflowsRejected,
        "workflows",
        `workflow reload refused: ${errors.join("; ")}`,
        at,
      );
    }
    case "publishRetried":
      // Retried for good until stored; five unanswered tries (at least 25 s) is worth a person's look, once.
      return event.attempt === publishAlertAttempt
        ? system(AlertKinds.publishFailed, event.subject, notStoredMessage(event), at)
        : null;
    case "workStuck":
      return system(AlertKinds.engineStuck, event.subject, stuckMessage(event), at);
    case "error":
      // A cron slot whose tasks could not be published (the publisher retries forever otherwise).
      if (event.where.startsWith("cron "))
        return system(AlertKinds.publishFailed, "cron", cronFailedMessage(event.where, event.error), at);
      return null;
    default:
      return null;
  }
}

/** What the alert of a cron slot whose tasks could not be published says; `where` names the phase and slot. */
export function cronFailedMessage(where: string, error: Error): string {
  return `${where}: ${error.message}`;
}

/** The alert for a task not finished `ttlMs` after it was emitted. */
export function incompleteAlert(task: Task, ttlMs: number, at: Date): AlertItem {
  const hours = Math.round((ttlMs / 3_600_000) * 10) / 10;
  return {
    ...ofTask(task),
    info: task.info,
    kind: AlertKinds.incomplete,
    message: `INCOMPLETE: not finished ${hours}h after it was emitted`,
    at,
  };
}

/** A task as an alert would name it (its phase and data time), e.g. to match a later success. */
export function taskAlertItem(task: Task, at: Date): AlertItem {
  return { ...ofTask(task), kind: "", message: "", at };
}

function ofTask(task: Task): Pick<AlertItem, "taskType" | "job" | "taskId" | "dataTime"> {
  const meta = parseMeta(task.meta);
  let dataTime: Date | null = null;
  try {
    dataTime = taskTime(meta, task.info);
  } catch {
    dataTime = null;
  }
  return { taskType: task.type, job: task.job || meta.get("job") || "", taskId: task.id ?? "", dataTime };
}

function system(kind: string, what: string, message: string, at: Date): AlertItem {
  return { kind, taskType: what, job: "", taskId: "", dataTime: null, message, at };
}
