/**
 * The batch engine: a range of times, stepped by hour, day, week or month, times rows of data, into task infos and
 * metas. Cron batches, child phases and backloads all go through it.
 *
 * Times here are wall-clock values (their UTC fields are the clock to print), so a day step is always a calendar day.
 */
import { PlanError } from "../errors/index.ts";
import type { MetaRow, Step } from "../rule/index.ts";
import type { Meta } from "../task/index.ts";
import { fillMeta, formatHour, render, type TemplateEnv } from "../tmpl/index.ts";

/** The most tasks one trigger may create; a larger batch is refused rather than flooding the workers. */
export const maxBatchTasks = 100_000;

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

export interface BatchSpec {
  readonly template: string;
  readonly job: string;
  /** The workflow to write in the meta, when the batch belongs to one. */
  readonly workflow?: string;
  /** Data rows; none means one task per time step. */
  readonly rows: readonly MetaRow[];
}

export interface BatchItem {
  /** The time step (wall clock), or null when the batch has no time (templates stay as written). */
  readonly wall: Date | null;
  readonly info: string;
  readonly meta: Meta;
  /** Index of the data row, or -1 when there are no rows. */
  readonly row: number;
}

/** Truncates a wall-clock time to its hour. */
export function truncateHour(wall: Date): Date {
  return new Date(Math.floor(wall.getTime() / hourMs) * hourMs);
}

/**
 * Every step from `start` to `end`, both included. A range that runs backwards is stepped from `end` up and flagged,
 * so the caller can reverse the whole list as flowlord does. Months step from the start and keep its day, clamped to
 * the month's last day (Jan 31 → Feb 28 → Mar 31), where flowlord's Go date arithmetic drifted (Jan 31 → Mar 3).
 */
export function rangeSteps(start: Date, end: Date, by: Step): { steps: Date[]; reversed: boolean } {
  const reversed = end.getTime() < start.getTime();
  const [from, to] = reversed ? [end, start] : [start, end];
  const steps: Date[] = [];
  for (let k = 0; ; k++) {
    const t = stepAt(from, by, k);
    if (t.getTime() > to.getTime()) break;
    if (steps.length >= maxBatchTasks) {
      throw new PlanError(
        `the range ${formatHour(from)} to ${formatHour(to)} by ${by} has more than ${maxBatchTasks} steps`,
      );
    }
    steps.push(t);
  }
  return { steps, reversed };
}

/** The `k`-th step from `from` (0 is `from` itself). */
export function stepAt(from: Date, by: Step, k: number): Date {
  switch (by) {
    case "hour":
      return new Date(from.getTime() + k * hourMs);
    case "day":
      return new Date(from.getTime() + k * dayMs);
    case "week":
      return new Date(from.getTime() + 7 * k * dayMs);
    case "month":
      return addMonths(from, k);
  }
}

/**
 * How many steps `rangeSteps` gives from `from` to `to` (`from` not after `to`), counted without stepping: a range
 * of a million hours is counted (and refused) at once.
 */
export function countSteps(from: Date, to: Date, by: Step): number {
  const span = to.getTime() - from.getTime();
  if (span < 0) return 0;
  if (by !== "month") return Math.floor(span / { hour: hourMs, day: dayMs, week: 7 * dayMs }[by]) + 1;
  const months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth();
  // The step into `to`'s month keeps the start's day (clamped), which may fall after `to`.
  return stepAt(from, "month", months).getTime() > to.getTime() ? months : months + 1;
}

/** `setUTCFullYear`, not `Date.UTC`, which reads years 0-99 as 1900-1999. */
function addMonths(d: Date, k: number): Date {
  const months = d.getUTCFullYear() * 12 + d.getUTCMonth() + k;
  const year = Math.floor(months / 12);
  const month = months - year * 12;
  const t = new Date(d.getTime());
  t.setUTCFullYear(year, month, Math.min(d.getUTCDate(), daysIn(year, month)));
  return t;
}

function daysIn(year: number, month: number): number {
  const t = new Date(0);
  t.setUTCFullYear(year, month + 1, 0);
  return t.getUTCDate();
}

/**
 * One item per step and row, in step order and row order. Each item's meta has `cron` (the step's hour, when there
 * is a time), `workflow` and `job` when set, and the row's values for the keys the template uses.
 */
export function expandBatch(spec: BatchSpec, steps: readonly (Date | null)[], env: TemplateEnv): BatchItem[] {
  const count = steps.length * Math.max(1, spec.rows.length);
  if (count > maxBatchTasks) {
    throw new PlanError(`the batch would create ${count} tasks, more than the limit of ${maxBatchTasks}`);
  }
  const items: BatchItem[] = [];
  for (const wall of steps) expandStep(spec, wall, env, items);
  return items;
}

/** Appends to `items` the items of one step: one per row, in row order, or one when there are no rows. */
export function expandStep(
  spec: BatchSpec,
  wall: Date | null,
  env: TemplateEnv,
  items: BatchItem[] = [],
): BatchItem[] {
  const rendered = render(spec.template, wall, env);
  const base: Meta = new Map();
  if (wall) base.set("cron", formatHour(wall));
  if (spec.workflow) base.set("workflow", spec.workflow);
  if (spec.job) base.set("job", spec.job);
  if (spec.rows.length === 0) {
    items.push({ wall, info: rendered, meta: base, row: -1 });
    return items;
  }
  spec.rows.forEach((row, index) => {
    const filled = fillMeta(rendered, (key) => row.get(key));
    const meta: Meta = new Map(base);
    for (const key of filled.keys) meta.set(key, row.get(key) ?? "");
    items.push({ wall, info: filled.text, meta, row: index });
  });
  return items;
}

/** Rows from `meta=key:v1,v2` style values: every key must have the same number of values. */
export function rowsFromLists(lists: ReadonlyMap<string, readonly string[]>): MetaRow[] {
  let length = -1;
  let first = "";
  for (const [key, values] of lists) {
    if (length === -1) {
      length = values.length;
      first = key;
    } else if (values.length !== length) {
      throw new PlanError(
        `inconsistent lengths in meta: ${first} has ${length} values, ${key} has ${values.length}`,
      );
    }
  }
  const rows: MetaRow[] = [];
  for (let i = 0; i < Math.max(0, length); i++) {
    rows.push(new Map([...lists].map(([key, values]) => [key, values[i] ?? ""])));
  }
  return rows;
}
