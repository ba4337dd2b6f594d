/**
 * Facts made from what the planner and the workflow loader hand over, the same way wherever they are recorded: a
 * task as an alert names it, a system alert (no task), and the phases of a snapshot as the Workflows view lists
 * them.
 */
import { formatProblem, Severity } from "../errors/index.ts";
import { parseMeta, type Task } from "../task/index.ts";
import { taskTime } from "../tmpl/index.ts";
import type { Snapshot } from "../workflow/index.ts";
import type { AlertEntry, PhaseEntry, TaskRef } from "./types.ts";

/** A task as an entry names it: its fields, its job (from meta when the task has none) and its data time. */
export function taskRef(task: Task): TaskRef {
  const meta = parseMeta(task.meta);
  let dataTime: Date | null;
  try {
    dataTime = taskTime(meta, task.info);
  } catch {
    dataTime = null;
  }
  return {
    id: task.id ?? "",
    type: task.type,
    job: task.job || meta.get("job") || "",
    info: task.info,
    meta: task.meta ?? "",
    dataTime: dataTime?.toISOString() ?? "",
  };
}

/** An alert about a task. */
export function taskAlert(kind: string, task: Task, message: string): AlertEntry {
  return { type: "alert", kind, task: taskRef(task), message };
}

/** An alert about no task: `what` (a subject, "cron", "workflows") stands where a task's type would. */
export function systemAlert(kind: string, what: string, message: string): AlertEntry {
  const task: TaskRef = { id: "", type: what, job: "", info: "", meta: "", dataTime: "" };
  return { type: "alert", kind, task, message };
}

/** Every phase of a snapshot with its validation status and problems (one line each). */
export function phaseEntries(snapshot: Snapshot): PhaseEntry[] {
  return snapshot.phases.map((p) => {
    const mine = snapshot.problems.filter((q) => q.workflow === p.workflow && q.phase === p.key);
    const status = mine.some((q) => q.severity === Severity.error)
      ? "error"
      : mine.length > 0
        ? "warning"
        : "ok";
    return {
      workflow: p.workflow,
      phase: p.key,
      topic: p.topic,
      job: p.job,
      dependsOn: p.dependsOn,
      rule: p.rule.text,
      template: p.template,
      retry: p.retry,
      status,
      problems: mine.map(formatProblem),
    };
  });
}

/**
 * What identifies a set of workflows: each file's name and checksum. Engines that load the same files make the same
 * text, so the `reload` entries they record have the same message id.
 */
export function snapshotChecksums(snapshot: Snapshot): string {
  return [...snapshot.workflows.values()].map((w) => `${w.name}=${w.checksum}`).join(",");
}
