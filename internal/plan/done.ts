/**
 * A finished task arriving on the done topic: its children, its retry, or its failed message.
 *
 * - complete: the child phases of the same workflow, each with the parent's id, its time from the parent, and the
 *   parent's meta available to its template;
 * - error: a retry after a backoff delay while the phase has retries left, else a message to the failed topic (and
 *   an alert unless the phase says `no_alert`). The phase is looked up in the task's own workflow;
 * - alert: an alert, nothing emitted; warn: nothing.
 */
import { PlanError } from "../errors/index.ts";
import type { MetaRow } from "../rule/index.ts";
import { formatDuration } from "../rule/index.ts";
import {
  encodeMeta,
  type Meta,
  nameOf,
  parseMeta,
  Result,
  type Task,
  taskName,
  withMeta,
} from "../task/index.ts";
import { taskTime } from "../tmpl/index.ts";
import type { Phase, Snapshot } from "../workflow/index.ts";
import { childrenOf, findPhase } from "../workflow/index.ts";
import { expandBatch } from "./batch.ts";
import { newTask, phaseRef, ruleRows, templateEnv } from "./emit.ts";
import { boundedKey } from "./key.ts";
import { retryDelayMs } from "./retry.ts";
import { AlertKind, type Emission, EmissionKind, emptyPlan, type Plan, type PlanContext } from "./types.ts";

export function planDone(snapshot: Snapshot, task: Task, ctx: PlanContext): Plan {
  switch (task.result) {
    case Result.complete:
      return planChildren(snapshot, task, ctx);
    case Result.error:
      return planRetry(snapshot, task, ctx);
    case Result.alert:
      return { ...emptyPlan, alerts: [{ kind: AlertKind.taskAlert, task, message: task.msg ?? "" }] };
    case Result.warn:
      return emptyPlan;
    default:
      throw new PlanError(
        `task ${taskName(task)} has no result; a done task needs complete, error, alert or warn`,
      );
  }
}

/**
 * The identity of the finished task, so a redelivered done message gives the same keys. Siblings share the id and
 * often the created second (a batch, or a child's rows), so the info tells them apart (flowlord's cache overwrote
 * such siblings; their children must not collide here). Bounded: a large info or id is hashed.
 */
function doneKey(task: Task, meta: ReadonlyMap<string, string>): string {
  return boundedKey(
    `${task.id ?? ""}|${task.type}|${task.job || meta.get("job") || ""}|${task.created ?? ""}|${task.info}`,
  );
}

/**
 * A task someone ran again "without what follows" carries this meta, which workers echo back in its done message:
 * its retries still happen (they keep the meta), its children do not.
 */
export const aloneMeta = "downstream";
export const aloneValue = "skip";

/** Every `require`d meta key is non-empty in the parent's meta. */
export function isReady(phase: Phase, parentMeta: ReadonlyMap<string, string>): boolean {
  return phase.rule.require.every((key) => (parentMeta.get(key) ?? "") !== "");
}

function planChildren(snapshot: Snapshot, parent: Task, ctx: PlanContext): Plan {
  const parentMeta = parseMeta(parent.meta);
  const workflow = parentMeta.get("workflow") ?? "";
  const job = parent.job || parentMeta.get("job") || "";
  const name = nameOf(parent.type, job);
  if (!workflow)
    return { ...emptyPlan, notes: [`${name} has no workflow in its meta, so it has no children`] };
  if (parentMeta.get(aloneMeta) === aloneValue)
    return { ...emptyPlan, notes: [`${name} was run again alone (${aloneMeta}=${aloneValue}): no children`] };
  const phases = childrenOf(snapshot, workflow, parent.type, job);
  if (phases.length === 0) return { ...emptyPlan, notes: [`no child phases of ${name} in ${workflow}`] };
  const wall = taskTime(parentMeta, parent.info);
  const emissions: Emission[] = [];
  const alerts: Plan["alerts"][number][] = [];
  const notes: string[] = [];
  for (const phase of phases) {
    if (!isReady(phase, parentMeta)) {
      const missing = phase.rule.require.filter((k) => !parentMeta.get(k));
      notes.push(`${workflow}: ${phase.key} skipped: parent meta lacks ${missing.join(", ")}`);
      continue;
    }
    try {
      emissions.push(...childTasks(phase, parent, parentMeta, wall, ctx));
    } catch (err) {
      const message = `children ${workflow}: ${phase.key} of ${name} failed: ${(err as Error).message}`;
      alerts.push({ kind: AlertKind.batchFailed, task: parent, message });
      notes.push(message);
    }
  }
  return { emissions, alerts, notes };
}

/**
 * One task per data row: the parent's meta is one row, or the base of every row of the child's own `meta=` or
 * meta-file (flowlord failed on the first and added a stray row with the second).
 */
function childTasks(
  phase: Phase,
  parent: Task,
  parentMeta: Meta,
  wall: Date | null,
  ctx: PlanContext,
): Emission[] {
  const own = ruleRows(phase, ctx);
  const rows: MetaRow[] =
    own.length === 0 ? [parentMeta] : own.map((row) => new Map([...parentMeta, ...row]));
  const ownKeys = new Set(own.flatMap((row) => [...row.keys()]));
  const workflow = phase.workflow;
  const parentKey = doneKey(parent, parentMeta);
  const items = expandBatch({ template: phase.template, job: phase.job, rows }, [wall], templateEnv(ctx));
  return items.map((item) => {
    // Flowlord's child meta: workflow, the parent's cron (only if it had one), the child's job; we add the values
    // of the child's own data rows that its template used, so batch children can be told apart.
    const meta: Meta = new Map([["workflow", workflow]]);
    const cron = parentMeta.get("cron");
    if (cron) meta.set("cron", cron);
    if (phase.job) meta.set("job", phase.job);
    for (const [key, value] of item.meta) if (ownKeys.has(key)) meta.set(key, value);
    const task = newTask(ctx, { type: phase.topic, job: phase.job, info: item.info, id: parent.id, meta });
    return {
      kind: EmissionKind.child,
      topic: phase.topic,
      delayMs: 0,
      task,
      phase: phaseRef(phase),
      dedupeKey: `child|${parentKey}|${workflow}|${phase.key}|${item.row}`,
    };
  });
}

function planRetry(snapshot: Snapshot, task: Task, ctx: PlanContext): Plan {
  const meta = parseMeta(task.meta);
  const workflow = meta.get("workflow") ?? "";
  const job = task.job || meta.get("job") || "";
  const phase = workflow ? findPhase(snapshot, workflow, task.type, job) : undefined;
  const done = Number.parseInt(meta.get("retry") ?? "", 10);
  const attempt = Number.isFinite(done) && done > 0 ? done : 0;
  if (phase && phase.retry > attempt) {
    const n = attempt + 1;
    const dedupeKey = `retry|${doneKey(task, meta)}|${n}`;
    const delayMs = retryDelayMs(phase.rule, n, ctx.random(dedupeKey));
    const retryMeta = withMeta(meta, { retry: String(n), delayed: formatDuration(delayMs) });
    const retry = newTask(ctx, {
      type: task.type,
      job: phase.job,
      info: task.info,
      id: task.id,
      meta: retryMeta,
    });
    const emission: Emission = {
      kind: EmissionKind.retry,
      topic: task.type,
      delayMs,
      task: retry,
      phase: phaseRef(phase),
      dedupeKey,
    };
    return { emissions: [emission], alerts: [], notes: [] };
  }
  return planFailed(task, meta, phase, workflow, ctx);
}

/** Retries used up (or no phase to retry by): the failed message and, unless `no_alert`, an alert. */
function planFailed(
  task: Task,
  meta: Meta,
  phase: Phase | undefined,
  workflow: string,
  ctx: PlanContext,
): Plan {
  const retried = phase?.retry ?? 0;
  const failed: Task = {
    ...task,
    meta: encodeMeta(withMeta(meta, { retry: "failed", retried: String(retried) })),
  };
  const notes: string[] = [];
  if (!phase)
    notes.push(
      `no phase ${taskName(task)} in ${workflow ? `workflow ${workflow}` : "any workflow"}; not retried`,
    );
  const emissions: Emission[] = [];
  if (ctx.failedTopic && ctx.failedTopic !== "-") {
    emissions.push({
      kind: EmissionKind.failed,
      topic: ctx.failedTopic,
      delayMs: 0,
      task: failed,
      ...(phase ? { phase: phaseRef(phase) } : {}),
      dedupeKey: `failed|${doneKey(task, meta)}`,
    });
  }
  if (phase?.rule.noAlert) return { emissions, alerts: [], notes: [...notes, `${phase.key} says no_alert`] };
  const why = task.msg ? `: ${task.msg}` : "";
  const message = `${taskName(task)} failed after ${retried} ${retried === 1 ? "retry" : "retries"}${why}`;
  return { emissions, alerts: [{ kind: AlertKind.retriesExhausted, task: failed, message }], notes };
}
