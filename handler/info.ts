/**
 * Flowlord's `/info` "workflow" map, built from the workflow snapshot (pure): for each file, one entry per
 * scheduled phase (`topic[:job]`) with its next and previous cron fire, its schedules and the chains of phases it
 * triggers, then an entry for each chain that nothing schedules, with a warning. The shape and the text follow
 * flowlord (reference §8.1 detail 1), so scripts that read its `/info` keep working. Where flowlord was wrong we
 * are not: batch (`for=`) cron phases are listed too, a dependsOn cycle ends its chain instead of recursing
 * forever, grandchildren of a `topic:job` child are found, and a phase with both cron and files keeps its times.
 */
import type { Problem } from "../internal/errors/index.ts";
import { phaseZone } from "../internal/plan/index.ts";
import { nextSlot, previousSlot } from "../internal/schedule/index.ts";
import { formatRfc3339 } from "../internal/tmpl/index.ts";
import {
  childrenOf,
  type Phase,
  parentsOf,
  type Snapshot,
  type Workflow,
} from "../internal/workflow/index.ts";

/** One `/info` entry. Empty fields are left out, as Go's `omitempty` left them out of flowlord's JSON. */
export interface InfoEntry {
  /** RFC 3339 UTC: the first cron slot after now. */
  Next?: string;
  /** RFC 3339 UTC: the last cron slot at or before now. */
  Prev?: string;
  warning?: string;
  /** `<cron spec>?offset=<duration>` per cron, the glob per files rule. */
  Schedule?: string[];
  /** One chain per child: `child ➞ grandchild ➞ …`. */
  Child?: string[];
}

/** workflow file → `topic[:job]` → entry. */
export type InfoWorkflows = Record<string, Record<string, InfoEntry>>;

/** Flowlord's separator between the phases of a chain. */
const arrow = " ➞ ";

/** At most this many phases are written into one entry's chains: a wide diamond of dependsOn would explode. */
const chainBudget = 1000;

export function flowlordInfo(snapshot: Snapshot, now: Date): InfoWorkflows {
  const info: InfoWorkflows = {};
  for (const workflow of snapshot.workflows.values()) {
    const entries = workflowEntries(snapshot, workflow, now);
    if (Object.keys(entries).length > 0) info[workflow.name] = entries;
  }
  return info;
}

function workflowEntries(snapshot: Snapshot, workflow: Workflow, now: Date): Record<string, InfoEntry> {
  const entries = new Map<string, InfoEntry>();
  // Phases shown already, as an entry or inside a chain; what is left over is listed as unscheduled.
  const covered = new Set<Phase>();
  const problems = snapshot.problems.filter((p) => p.workflow === workflow.name);
  const chainsOf = (phase: Phase) =>
    chains(snapshot, phase, new Set([phase]), covered, { left: chainBudget });
  // A phase with both cron and files is met twice; its problems are told once.
  const warned = new Set<Phase>();
  const warn = (entry: InfoEntry, phase: Phase) => {
    if (!warned.has(phase)) withWarning(entry, phaseWarning(phase, problems, workflow.phases));
    warned.add(phase);
  };
  for (const phase of workflow.phases) {
    if (phase.rule.cron === undefined) continue;
    const entry = cronEntry(phase, now, entries.get(phase.key));
    warn(entry, phase);
    entry.Child = chainsOf(phase);
    entries.set(phase.key, entry);
    covered.add(phase);
  }
  for (const phase of workflow.phases) {
    const files = phase.rule.files;
    if (files === undefined) continue;
    // Flowlord replaced a cron entry of the same phase here, losing its times; the glob is added instead.
    const entry = entries.get(phase.key) ?? {};
    entry.Schedule = [...(entry.Schedule ?? []), files];
    warn(entry, phase);
    entry.Child = chainsOf(phase);
    entries.set(phase.key, entry);
    covered.add(phase);
  }
  for (const phase of workflow.phases) {
    if (covered.has(phase)) continue;
    const head = topOf(
      phase,
      workflow.phases.filter((p) => !covered.has(p)),
    );
    covered.add(head);
    if (entries.has(head.key)) continue;
    const entry: InfoEntry = {};
    warn(entry, head);
    // The climb stopped at a phase that still has a parent: the chain loops back on itself and nothing starts it.
    if (parentsOf(head, workflow.phases).length > 0)
      withWarning(
        entry,
        `non-scheduled phase: ${head.key} is in a dependsOn cycle that no cron or files starts`,
      );
    entry.Child = chainsOf(head);
    entries.set(head.key, entry);
  }
  return Object.fromEntries([...entries].map(([key, entry]) => [key, tidy(entry)]));
}

/** A cron phase's times and schedule, merged into `earlier` (a phase of the same name): earliest Next, latest Prev. */
function cronEntry(phase: Phase, now: Date, earlier: InfoEntry | undefined): InfoEntry {
  const spec = phase.rule.cron;
  if (spec === undefined) return earlier ?? {};
  const schedule = `${spec.text}?offset=${printDuration(phase.rule.offsetMs)}`;
  const entry: InfoEntry = { ...earlier, Schedule: [schedule, ...(earlier?.Schedule ?? [])] };
  try {
    const zone = phaseZone(phase);
    const next = formatRfc3339(nextSlot(spec, zone, now));
    const prev = previousSlot(spec, zone, now);
    // Same-width UTC strings: string order is time order.
    if (entry.Next === undefined || next < entry.Next) entry.Next = next;
    if (prev !== null && (entry.Prev === undefined || formatRfc3339(prev) > entry.Prev))
      entry.Prev = formatRfc3339(prev);
  } catch (err) {
    withWarning(entry, `cannot compute fire times: ${(err as Error).message}`);
  }
  return entry;
}

/**
 * The chains below `phase`: for each phase it triggers (the runtime's `childrenOf`, in key order), that phase,
 * then the chains below it, flattened as flowlord printed them. A phase already on the path ends the chain as
 * `key (cycle)`: flowlord recursed there until the server crashed.
 */
function chains(
  snapshot: Snapshot,
  phase: Phase,
  path: Set<Phase>,
  covered: Set<Phase>,
  budget: { left: number },
): string[] {
  const out: string[] = [];
  for (const child of childrenOf(snapshot, phase.workflow, phase.topic, phase.job)) {
    if (budget.left <= 0) {
      out.push("…");
      break;
    }
    budget.left -= 1;
    covered.add(child);
    if (path.has(child)) {
      out.push(`${child.key} (cycle)`);
      continue;
    }
    path.add(child);
    const below = chains(snapshot, child, path, covered, budget);
    path.delete(child);
    out.push([child.key, ...below].join(arrow));
  }
  return out;
}

/** The topmost ancestor of `phase` among `phases`, following the first parent; a cycle stops the climb. */
function topOf(phase: Phase, phases: readonly Phase[]): Phase {
  const seen = new Set([phase]);
  let top = phase;
  for (let parent = parentsOf(top, phases)[0]; parent !== undefined && !seen.has(parent); ) {
    seen.add(parent);
    top = parent;
    parent = parentsOf(top, phases)[0];
  }
  return top;
}

/**
 * The validation problems of one phase, as text. For a phase whose parent is missing, flowlord's own words
 * `parent task not found: X` stand in for ours, so the text people learned to look for is still there.
 */
function phaseWarning(phase: Phase, problems: readonly Problem[], phases: readonly Phase[]): string {
  const orphan = phase.parentTopic !== "" && parentsOf(phase, phases).length === 0;
  const own = problems.filter(
    (p) =>
      p.phase === phase.key &&
      (p.line === undefined || phase.line === undefined || p.line === phase.line) &&
      !(orphan && p.key === "dependsOn" && p.severity === "warning"),
  );
  const texts = own.map((p) => (p.key ? `${p.key}: ${p.message}` : p.message));
  if (orphan) texts.push(`parent task not found: ${phase.dependsOn}`);
  return texts.join("; ");
}

function withWarning(entry: InfoEntry, warning: string): void {
  if (warning === "") return;
  entry.warning = entry.warning ? `${entry.warning}; ${warning}` : warning;
}

/** Flowlord's field order, without the empty fields. */
function tidy(entry: InfoEntry): InfoEntry {
  const out: InfoEntry = {};
  if (entry.Next) out.Next = entry.Next;
  if (entry.Prev) out.Prev = entry.Prev;
  if (entry.warning) out.warning = entry.warning;
  if (entry.Schedule?.length) out.Schedule = entry.Schedule;
  if (entry.Child?.length) out.Child = entry.Child;
  return out;
}

const ns = {
  microsecond: 1_000n,
  millisecond: 1_000_000n,
  second: 1_000_000_000n,
  minute: 60_000_000_000n,
  hour: 3_600_000_000_000n,
  day: 86_400_000_000_000n,
  year: 365n * 86_400_000_000_000n,
} as const;

/**
 * Milliseconds as flowlord printed an offset (`gtools.PrintDuration`): years of 365 days and days before hours,
 * no zero units (`-4h`, `1d2h`, `1h5s`), seconds and sub-second values to at most two decimals, truncated
 * (`1.5s`, `10.25ms`), and `0s` for zero.
 */
export function printDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const whole = Math.trunc(Math.abs(ms));
  let d = BigInt(whole) * ns.millisecond + BigInt(Math.round((Math.abs(ms) - whole) * 1e6));
  if (d === 0n) return "0s";
  let text = ms < 0 ? "-" : "";
  if (d < ns.microsecond) return `${text}${d}ns`;
  if (d < ns.millisecond) return `${text}${twoDecimals(d, ns.microsecond)}µs`;
  if (d < ns.second) return `${text}${twoDecimals(d, ns.millisecond)}ms`;
  const units = [
    ["y", ns.year],
    ["d", ns.day],
    ["h", ns.hour],
    ["m", ns.minute],
  ] as const;
  for (const [unit, size] of units) {
    const count = d / size;
    if (count === 0n) continue;
    d -= count * size;
    text += `${count}${unit}`;
  }
  const seconds = `${twoDecimals(d, ns.second)}s`;
  return seconds === "0s" ? text : text + seconds;
}

/** `d` in `unit`s, truncated to two decimals without trailing zeros (gtools' fDuration). */
function twoDecimals(d: bigint, unit: bigint): string {
  const hundredths = d / (unit / 100n);
  const whole = `${hundredths / 100n}`;
  const tenths = (hundredths % 100n) / 10n;
  const last = hundredths % 10n;
  if (tenths === 0n && last === 0n) return whole;
  return last === 0n ? `${whole}.${tenths}` : `${whole}.${tenths}${last}`;
}
