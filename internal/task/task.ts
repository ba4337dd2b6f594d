/**
 * Building tasks and reading the names flowlord derives from them.
 */
import { parseMeta } from "./meta.ts";
import type { Task } from "./types.ts";

/** The task's job: `job`, else its meta `job` (flowlord's rule), else "". */
export function jobOf(task: Task): string {
  return task.job || parseMeta(task.meta).get("job") || "";
}

/** `type` or `type:job`, the name flowlord groups and looks phases up by. */
export function taskName(task: Task): string {
  return nameOf(task.type, jobOf(task));
}

/** The same name from a type and a job already known (the meta parsed once by the caller). */
export function nameOf(type: string, job: string): string {
  return job ? `${type}:${job}` : type;
}

/** A copy of the task without what a worker writes (result, msg, started, ended). */
export function withoutOutcome(task: Task): Task {
  const { result: _r, msg: _m, started: _s, ended: _e, ...rest } = task;
  return rest;
}
