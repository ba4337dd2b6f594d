/**
 * What the cache records of a task, computed from the task alone, so the writing thread (`wire.ts`, `worker.ts`)
 * and the rebuild from the streams (`rebuild.ts`) make the same records.
 */
import { parseMeta, type Task } from "../task/index.ts";
import { taskTime } from "../tmpl/index.ts";

/** A finished task as the store updates it; `done` is when it was recorded (ISO text). */
export function doneRecord(task: Task, done: string) {
  return {
    id: task.id ?? "",
    type: task.type,
    job: task.job ?? "",
    info: task.info,
    created: task.created ?? "",
    meta: task.meta ?? "",
    result: task.result ?? "",
    msg: task.msg ?? "",
    started: task.started ?? "",
    ended: task.ended ?? "",
    done,
  };
}

/** The time the task's data is for (flowlord's rules: meta, then info); "" when it carries none. */
export function dataTimeOf(task: Task): string {
  try {
    return taskTime(parseMeta(task.meta), task.info)?.toISOString() ?? "";
  } catch {
    return "";
  }
}
