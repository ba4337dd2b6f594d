/**
 * The kinds of alerts, and the alerts the history raises itself (a task left unfinished). The engine records the
 * others on the journal; the history turns refusals and skipped slots into alerts (`internal/cache` entries).
 */
import { engineStuckKind, publishFailedKind } from "../engine/index.ts";
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
  backupFailing: "backup-failing",
  workflowsRejected: "workflows-rejected",
} as const;

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
