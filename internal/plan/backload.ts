/**
 * Backload: the tasks of a phase over a past (or any) time range, as flowlord's `POST /backload` makes them.
 *
 * The request names a phase (`Task`, `Job`, optionally `Workflow`) or gives a template; a time (`At`) or a range
 * (`From`, `To`, stepped `By` hour, day, week or month); and optional data rows (`meta` lists or a `meta-file`).
 * A found phase supplies the template, the workflow and, when the request has none, its rule's meta or meta-file.
 * The phase's `offset` is not applied (as in flowlord).
 *
 * A backload is counted before any of its tasks is made, and its tasks are made a slice at a time
 * (`prepareBackload`): a preview of 100 000 tasks makes the page it shows, and an execution publishes chunk by chunk.
 */
import { InputError } from "../errors/index.ts";
import type { MetaRow, Step } from "../rule/index.ts";
import { formatHour, parseTimeInput } from "../tmpl/index.ts";
import type { Phase, Snapshot } from "../workflow/index.ts";
import {
  type BatchItem,
  type BatchSpec,
  countSteps,
  expandStep,
  maxBatchTasks,
  rowsFromLists,
  stepAt,
  truncateHour,
} from "./batch.ts";
import { newTask, phaseRef, ruleRows, templateEnv } from "./emit.ts";
import { type Emission, EmissionKind, type PhaseRef, type Plan, type PlanContext } from "./types.ts";

export interface BackloadRequest {
  readonly task: string;
  readonly job: string;
  readonly template: string;
  readonly workflow: string;
  readonly by: string;
  readonly meta?: ReadonlyMap<string, readonly string[]>;
  readonly metaFile: string;
  readonly from: string;
  readonly to: string;
  readonly at: string;
  readonly execute: boolean;
}

export interface BackloadPlan extends Plan {
  /** What was decided, in order (flowlord's status messages). */
  readonly status: readonly string[];
  readonly phase?: PhaseRef;
}

/**
 * A backload resolved and counted, its tasks made a slice at a time: a preview shows a page of them, and an
 * execution publishes them chunk by chunk, without ever holding all of them (a backload may make 100 000).
 */
export interface BackloadSlots {
  /** What was decided, in order (flowlord's status messages). */
  readonly status: readonly string[];
  readonly phase?: PhaseRef;
  /** How many tasks the backload makes. */
  readonly count: number;
  /** The tasks from index `start` up to `end` (excluded), in the backload's order; each call makes new ids. */
  emissions(start: number, end: number): Emission[];
}

const steps: Record<string, Step> = {
  hour: "hour",
  hourly: "hour",
  day: "day",
  daily: "day",
  week: "week",
  weekly: "week",
  month: "month",
  monthly: "month",
};

/** Every task of a backload at once: for small ones (a launch, the CLI). */
export function planBackload(snapshot: Snapshot, req: BackloadRequest, ctx: PlanContext): BackloadPlan {
  const slots = prepareBackload(snapshot, req, ctx);
  const emissions = slots.emissions(0, slots.count);
  return {
    emissions,
    alerts: [],
    notes: [],
    status: slots.status,
    ...(slots.phase ? { phase: slots.phase } : {}),
  };
}

/**
 * Resolves a backload request and counts its tasks, without making them. A request that cannot be planned, or would
 * make more than `maxBatchTasks` tasks, is an `InputError`: the request is at fault, not the service.
 */
export function prepareBackload(snapshot: Snapshot, req: BackloadRequest, ctx: PlanContext): BackloadSlots {
  const status: string[] = [];
  const { name, job, key, phase } = resolvePhase(snapshot, req);
  if (phase) status.push(`phase found in ${phase.workflow}`);
  else if (!req.template)
    throw new InputError(`no template found for ${key}${req.workflow ? ` in ${req.workflow}` : ""}`);
  else status.push(`no phase ${key}; using the request's template`);
  if (req.meta && req.metaFile)
    throw new InputError("Unsupported: meta and meta-file both used, use one only");

  const by = stepOf(req.by, status);
  const { start, end } = timeRange(req, ctx.now, status);
  const rows = dataRows(req, phase, ctx);
  const ref = phase ? { phase: phaseRef(phase) } : {};
  if (rows.length === 0 && (req.metaFile || phase?.rule.metaFile) && start.getTime() === end.getTime()) {
    status.push("the meta-file has no rows");
    return { status, count: 0, emissions: () => [], ...ref };
  }
  const layout = layoutOf(start, end, by, rows.length);
  const spec: BatchSpec = {
    template: phase ? phase.template : req.template,
    job: phase ? phase.job : job,
    rows,
    ...(phase ? { workflow: phase.workflow } : {}),
  };
  const topic = phase ? phase.topic : name;
  return { status, count: layout.count, ...ref, emissions: slicer(ctx, spec, layout, topic, ref) };
}

/** Where a backload's tasks are: its steps from `from`, `perStep` tasks each (one per row), `count` in all. */
interface Layout {
  readonly from: Date;
  readonly by: Step;
  /** The range runs backwards: the forward list is reversed, rows included, as flowlord made it. */
  readonly reversed: boolean;
  readonly perStep: number;
  readonly count: number;
}

/** Counts a backload's tasks, steps times rows, without making them; more than `maxBatchTasks` is refused. */
function layoutOf(start: Date, end: Date, by: Step, rows: number): Layout {
  const reversed = end.getTime() < start.getTime();
  const [from, to] = reversed ? [end, start] : [start, end];
  const stepCount = countSteps(from, to, by);
  const perStep = Math.max(1, rows);
  const count = stepCount * perStep;
  if (count > maxBatchTasks) {
    const times = `${stepCount} ${by === "day" ? "days" : `${by}s`}`;
    throw new InputError(
      `the backload would create ${count} tasks (${times}${rows > 1 ? ` × ${rows} rows` : ""}), more than the limit of ${maxBatchTasks}: split the range`,
    );
  }
  return { from, by, reversed, perStep, count };
}

/** Makes the tasks at places `first` up to `last` (excluded), each step's template rendered once. */
function slicer(
  ctx: PlanContext,
  spec: BatchSpec,
  layout: Layout,
  topic: string,
  ref: { phase?: PhaseRef },
): (first: number, last: number) => Emission[] {
  const env = templateEnv(ctx);
  const request = ctx.newId();
  const { from, by, reversed, perStep, count } = layout;
  return (first, last) => {
    const out: Emission[] = [];
    let step = -1;
    let items: BatchItem[] = [];
    for (let i = Math.max(0, first); i < Math.min(count, last); i++) {
      const forward = reversed ? count - 1 - i : i;
      const k = Math.floor(forward / perStep);
      if (k !== step) {
        items = expandStep(spec, stepAt(from, by, k), env);
        step = k;
      }
      const item = items[forward - k * perStep] as BatchItem;
      out.push({
        kind: EmissionKind.backload,
        topic,
        delayMs: 0,
        task: newTask(ctx, { type: topic, job: spec.job, info: item.info, meta: item.meta }),
        ...ref,
        dedupeKey: `backload|${request}|${i}`,
      });
    }
    return out;
  };
}

function resolvePhase(snapshot: Snapshot, req: BackloadRequest) {
  const [name, job] = taskAndJob(req);
  const key = job ? `${name}:${job}` : name;
  if (!name) throw new InputError("Task is required: the phase to backload, as topic or topic:job");
  return { name, job, key, phase: backloadPhase(snapshot, req) };
}

/** The phase a request names, in its `Workflow` when it gives one. */
export function backloadPhase(snapshot: Snapshot, req: BackloadRequest): Phase | undefined {
  const [name, job] = taskAndJob(req);
  const key = job ? `${name}:${job}` : name;
  return snapshot.phases.find((p) => p.key === key && (!req.workflow || p.workflow === req.workflow));
}

/** `Task` may be written `topic:job`; an explicit `Job` wins. */
function taskAndJob(req: BackloadRequest): [string, string] {
  const colon = req.task.indexOf(":");
  if (colon < 0) return [req.task.trim(), req.job.trim()];
  return [req.task.slice(0, colon).trim(), (req.job || req.task.slice(colon + 1)).trim()];
}

function stepOf(by: string, status: string[]): Step {
  if (!by) {
    status.push("using default day iterator");
    return "day";
  }
  const step = steps[by.toLowerCase()];
  if (!step) throw new InputError(`By: unknown step "${by}"; use hour, day, week or month`);
  return step;
}

/** Flowlord's rules: At wins; From or To alone is a single time; nothing means now. A time that cannot be read is
 * an error here (flowlord silently used today, which could backload the wrong day). */
function timeRange(req: BackloadRequest, now: Date, status: string[]): { start: Date; end: Date } {
  const at = readTime("At", req.at);
  let from = readTime("From", req.from);
  let to = readTime("To", req.to);
  if (at) return { start: at, end: at };
  if (!from && !to) {
    const hour = truncateHour(now);
    status.push(`no time provided, using now (${formatHour(hour)})`);
    return { start: hour, end: hour };
  }
  if (!from) {
    status.push("from value not set");
    from = to;
  }
  if (!to) {
    status.push("to value not set");
    to = from;
  }
  return { start: from as Date, end: to as Date };
}

function readTime(field: string, text: string): Date | null {
  if (!text) return null;
  const t = parseTimeInput(text);
  if (!t)
    throw new InputError(
      `${field}: cannot read "${text}" as a time; use YYYY-MM-DD, YYYY-MM-DDTHH or RFC 3339`,
    );
  return t;
}

function dataRows(req: BackloadRequest, phase: Phase | undefined, ctx: PlanContext): readonly MetaRow[] {
  if (req.meta && req.meta.size > 0) {
    try {
      return rowsFromLists(req.meta);
    } catch (err) {
      throw new InputError((err as Error).message, { cause: err });
    }
  }
  if (req.metaFile) return ctx.readMetaFile(req.metaFile);
  return phase ? ruleRows(phase, ctx) : [];
}
