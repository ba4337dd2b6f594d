/**
 * Questions the planner and the handlers ask of a snapshot (pure): a phase by name, the children a finished task
 * triggers, the phases the scheduler and the file matcher own. Results keep the snapshot's order.
 */
import type { Phase, Snapshot } from "./types.ts";

/** The phase of `workflow` with exactly this topic and job ("" for none). */
export function findPhase(s: Snapshot, workflow: string, topic: string, job: string): Phase | undefined {
  return s.workflows.get(workflow)?.phases.find((p) => p.topic === topic && p.job === job);
}

/**
 * The phases a finished task of `type`/`job` triggers in `workflow`: dependsOn names the type, and either no job
 * or this job. Sorted by key. A blank type has no children.
 */
export function childrenOf(s: Snapshot, workflow: string, type: string, job: string): Phase[] {
  if (type === "") return [];
  const phases = s.workflows.get(workflow)?.phases ?? [];
  return phases.filter((p) => p.parentTopic === type && (p.parentJob === "" || p.parentJob === job));
}

/**
 * Phases of every workflow by name. With a job: the phases keyed `topic:job`. Without: the phases keyed `topic`,
 * or when there are none, every phase of that topic (whatever its job).
 */
export function phasesNamed(s: Snapshot, topic: string, job?: string): Phase[] {
  if (topic === "") return [];
  if (job) {
    const key = `${topic}:${job}`;
    return s.phases.filter((p) => p.key === key);
  }
  const exact = s.phases.filter((p) => p.key === topic);
  return exact.length > 0 ? exact : s.phases.filter((p) => p.topic === topic);
}

/** Phases with a `cron` rule, for the scheduler. */
export function cronPhases(s: Snapshot): Phase[] {
  return s.phases.filter((p) => p.rule.cron !== undefined);
}

/** Phases with a `files` rule, for the file matcher. */
export function filePhases(s: Snapshot): Phase[] {
  return s.phases.filter((p) => p.rule.files !== undefined);
}
