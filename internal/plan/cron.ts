/**
 * A cron slot firing: the task (or batch of tasks) a phase emits at time T.
 *
 * Flowlord's two kinds of cron job are kept: a plain job renders its template at T + offset (not truncated) and emits
 * one task; a batch job (`for`, `meta` or `meta-file`) truncates T + offset to the hour and emits one task per step
 * and data row. Templates render in the phase's zone (`tz=`, or a `CRON_TZ=` prefix), UTC by default.
 */
import { formatHour, formatRfc3339, render, toWall } from "../tmpl/index.ts";
import type { Phase } from "../workflow/index.ts";
import { expandBatch, rangeSteps, truncateHour } from "./batch.ts";
import { newTask, phaseRef, ruleRows, templateEnv } from "./emit.ts";
import { AlertKind, type Emission, EmissionKind, type Plan, type PlanContext } from "./types.ts";

/** The zone a phase fires and renders in. */
export function phaseZone(phase: Phase): string {
  return phase.rule.cron?.tz ?? phase.rule.tz;
}

export function isBatchPhase(phase: Phase): boolean {
  const r = phase.rule;
  return r.forMs !== undefined || r.metaRows !== undefined || r.metaFile !== undefined;
}

/** The tasks `phase` emits for the cron slot at instant `at`. */
export function planCron(phase: Phase, at: Date, ctx: PlanContext): Plan {
  const wall = toWall(new Date(at.getTime() + phase.rule.offsetMs), phaseZone(phase));
  const slot = `cron|${phase.workflow}|${phase.key}|${formatRfc3339(at)}`;
  if (!isBatchPhase(phase)) return { emissions: [plainTask(phase, wall, slot, ctx)], alerts: [], notes: [] };
  try {
    return { emissions: batchTasks(phase, wall, slot, ctx), alerts: [], notes: [] };
  } catch (err) {
    const message = `batch for ${phase.workflow}: ${phase.key} at ${formatHour(wall)} failed: ${(err as Error).message}`;
    const task = { type: phase.topic, info: phase.template, ...(phase.job ? { job: phase.job } : {}) };
    return { emissions: [], alerts: [{ kind: AlertKind.batchFailed, task, message }], notes: [message] };
  }
}

function plainTask(phase: Phase, wall: Date, slot: string, ctx: PlanContext): Emission {
  const meta = new Map([
    ["workflow", phase.workflow],
    ["cron", formatHour(wall)],
  ]);
  if (phase.job) meta.set("job", phase.job);
  const info = render(phase.template, wall, templateEnv(ctx));
  const task = newTask(ctx, { type: phase.topic, job: phase.job, info, meta });
  return {
    kind: EmissionKind.cron,
    topic: phase.topic,
    delayMs: 0,
    task,
    phase: phaseRef(phase),
    dedupeKey: slot,
  };
}

function batchTasks(phase: Phase, wall: Date, slot: string, ctx: PlanContext): Emission[] {
  const start = truncateHour(wall);
  const end = new Date(start.getTime() + (phase.rule.forMs ?? 0));
  const rows = ruleRows(phase, ctx);
  // Flowlord: a meta-file with no rows and no range gives nothing, rather than one task with unfilled placeholders.
  if (phase.rule.metaFile && rows.length === 0 && start.getTime() === end.getTime()) return [];
  const { steps, reversed } = rangeSteps(start, end, phase.rule.by);
  const spec = { template: phase.template, job: phase.job, workflow: phase.workflow, rows };
  const items = expandBatch(spec, steps, templateEnv(ctx));
  if (reversed) items.reverse();
  return items.map((item) => ({
    kind: EmissionKind.batch,
    topic: phase.topic,
    delayMs: 0,
    task: newTask(ctx, { type: phase.topic, job: phase.job, info: item.info, meta: item.meta }),
    phase: phaseRef(phase),
    dedupeKey: `${slot}|${item.meta.get("cron") ?? ""}|${item.row}`,
  }));
}
