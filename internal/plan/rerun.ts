/**
 * A person asking for a task to run again (the dashboard's "retry"): the same task (type, job, info, id and meta,
 * less the retry bookkeeping) created now, so its phase's children and retries follow as for any task. The request
 * has its own identity, so asking twice by mistake within the duplicate window sends it once. With
 * `downstream: false` it runs alone: its done message brings no children (see `aloneMeta`).
 */
import { parseMeta, type Task, withMeta } from "../task/index.ts";
import { aloneMeta, aloneValue } from "./done.ts";
import { newTask } from "./emit.ts";
import { boundedKey } from "./key.ts";
import { type Emission, EmissionKind, type PlanContext } from "./types.ts";

export function planRerun(
  task: Task,
  ctx: PlanContext,
  requestId: string,
  options: { readonly downstream: boolean } = { downstream: true },
): Emission {
  const meta = withMeta(parseMeta(task.meta), {
    retry: undefined,
    retried: undefined,
    delayed: undefined,
    [aloneMeta]: options.downstream ? undefined : aloneValue,
  });
  const workflow = meta.get("workflow") ?? "";
  const job = task.job || meta.get("job") || "";
  return {
    kind: EmissionKind.retry,
    topic: task.type,
    delayMs: 0,
    task: newTask(ctx, { type: task.type, job, info: task.info, id: task.id, meta }),
    ...(workflow ? { phase: { workflow, phase: job ? `${task.type}:${job}` : task.type } } : {}),
    dedupeKey: `rerun|${boundedKey(requestId)}`,
  };
}
