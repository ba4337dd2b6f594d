/**
 * Small builders shared by the planners: the template environment, a new task, a phase reference, rows of a rule.
 */
import type { MetaRow } from "../rule/index.ts";
import type { Task } from "../task/index.ts";
import { encodeMeta, type Meta } from "../task/index.ts";
import { formatRfc3339, type TemplateEnv } from "../tmpl/index.ts";
import type { Phase } from "../workflow/index.ts";
import type { PhaseRef, PlanContext } from "./types.ts";

export function templateEnv(ctx: PlanContext): TemplateEnv {
  return { host: ctx.host, newUuid: ctx.newId };
}

/** A task as taskmaster emits it: created now, meta encoded with sorted keys, empty job left out. */
export function newTask(
  ctx: PlanContext,
  fields: { type: string; job: string; info: string; id?: string | undefined; meta: Meta },
): Task {
  const task: Task = {
    type: fields.type,
    info: fields.info,
    created: formatRfc3339(ctx.now),
    id: fields.id ?? ctx.newId(),
    meta: encodeMeta(fields.meta),
  };
  return fields.job ? { ...task, job: fields.job } : task;
}

export function phaseRef(phase: Phase): PhaseRef {
  return { workflow: phase.workflow, phase: phase.key };
}

/** The data rows a phase's own rule gives: `meta=` rows, or the meta-file's rows, or none. */
export function ruleRows(phase: Phase, ctx: PlanContext): readonly MetaRow[] {
  if (phase.rule.metaRows) return phase.rule.metaRows;
  if (phase.rule.metaFile) return ctx.readMetaFile(phase.rule.metaFile);
  return [];
}
