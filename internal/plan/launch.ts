/**
 * Launching a phase now (the dashboard's "run now"): the tasks the phase makes for one time (now unless given),
 * with meta values given by the caller, planned exactly as a one-time backload of that phase, so the template,
 * workflow and rule rows are the runtime's. A caller may also give the info outright (a one-off by hand): the
 * phase's single task then carries that info instead of the rendered template.
 */
import { InputError } from "../errors/index.ts";
import type { Snapshot } from "../workflow/index.ts";
import { childrenOf } from "../workflow/index.ts";
import { type BackloadPlan, planBackload } from "./backload.ts";
import type { PlanContext } from "./types.ts";

export interface LaunchRequest {
  readonly workflow: string;
  /** The phase's key: `topic` or `topic:job`. */
  readonly phase: string;
  /** `YYYY-MM-DD`, `YYYY-MM-DDTHH` or RFC 3339; "" for now. */
  readonly at: string;
  readonly meta: ReadonlyMap<string, string>;
  /** "" to render the template. */
  readonly info: string;
}

export function planLaunch(snapshot: Snapshot, req: LaunchRequest, ctx: PlanContext): BackloadPlan {
  const phase = snapshot.phases.find((p) => p.workflow === req.workflow && p.key === req.phase);
  if (!phase) throw new InputError(`no phase ${req.phase} in workflow ${req.workflow || "(none given)"}`);
  const meta = new Map([...req.meta].map(([k, v]): [string, string[]] => [k, [v]]));
  const plan = planBackload(
    snapshot,
    {
      task: phase.key,
      job: phase.job,
      template: "",
      workflow: phase.workflow,
      by: "hour",
      metaFile: "",
      from: "",
      to: "",
      at: req.at || ctx.now.toISOString(),
      execute: true,
      ...(meta.size > 0 ? { meta } : {}),
    },
    ctx,
  );
  if (!req.info) return plan;
  if (plan.emissions.length !== 1)
    throw new InputError(
      `info: a given info replaces the template of one task, but ${phase.key} makes ${plan.emissions.length} here`,
    );
  const emissions = plan.emissions.map((e) => ({ ...e, task: { ...e.task, info: req.info } }));
  return { ...plan, emissions, status: [...plan.status, "info given by the caller"] };
}

/**
 * Every phase that follows `topic[:job]` in `workflow`, breadth first, as `workflow: key` chains' members: what a
 * re-run brings with it once it completes. A cycle is followed once.
 */
export function downstreamOf(snapshot: Snapshot, workflow: string, topic: string, job: string): string[] {
  const seen = new Set<string>();
  const queue = [{ topic, job }];
  while (queue.length > 0) {
    const next = queue.shift();
    if (!next) break;
    for (const child of childrenOf(snapshot, workflow, next.topic, next.job)) {
      if (seen.has(child.key)) continue;
      seen.add(child.key);
      queue.push({ topic: child.topic, job: child.job });
    }
  }
  return [...seen];
}
