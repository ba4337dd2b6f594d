/**
 * Checks across the phases of one workflow file (pure), all reported at once: a phase defined twice, a parent that
 * is not in the file, dependsOn cycles, phases nothing triggers, and `{meta:k}` values nothing supplies.
 * Flowlord loaded all of these silently (a cycle looped forever at runtime); here they are errors or warnings.
 */
import { type Problem, Severity } from "../errors/index.ts";
import { findCycles, parentsOf } from "./graph.ts";
import { checkMetaSupply } from "./supply.ts";
import type { Phase } from "./types.ts";
import { at } from "./where.ts";

export function validateWorkflow(workflow: string, phases: readonly Phase[]): Problem[] {
  return [
    ...duplicates(phases),
    ...unknownParents(workflow, phases),
    ...cycles(phases),
    ...unscheduled(phases),
    ...checkMetaSupply(phases),
  ];
}

function describeWhere(phase: Phase): string {
  return phase.line === undefined ? `phase #${phase.index + 1}` : `line ${phase.line}`;
}

function duplicates(phases: readonly Phase[]): Problem[] {
  const first = new Map<string, Phase>();
  const problems: Problem[] = [];
  for (const phase of phases) {
    const earlier = first.get(phase.key);
    if (earlier === undefined) {
      first.set(phase.key, phase);
      continue;
    }
    problems.push({
      severity: Severity.error,
      ...at(phase),
      key: "task",
      message: `duplicate phase "${phase.key}", first defined at ${describeWhere(earlier)}`,
    });
  }
  return problems;
}

function unknownParents(workflow: string, phases: readonly Phase[]): Problem[] {
  const problems: Problem[] = [];
  for (const phase of phases) {
    if (phase.parentTopic === "" || parentsOf(phase, phases).length > 0) continue;
    const scheduled = phase.rule.cron !== undefined || phase.rule.files !== undefined;
    const consequence = scheduled
      ? "dependsOn never triggers this phase"
      : "this phase only runs by backload";
    problems.push({
      severity: Severity.warning,
      ...at(phase),
      key: "dependsOn",
      message: `parent "${phase.dependsOn}" not found in ${workflow}; ${consequence}`,
    });
  }
  return problems;
}

function cycles(phases: readonly Phase[]): Problem[] {
  return findCycles(phases).flatMap((cycle) => {
    const start = cycle[0];
    if (start === undefined) return [];
    const names = cycle.map((p) => p.key).join(" → ");
    return [
      {
        severity: Severity.error,
        ...at(start),
        key: "dependsOn",
        message: `dependsOn cycle ${names}: these phases would trigger each other forever`,
      },
    ];
  });
}

function unscheduled(phases: readonly Phase[]): Problem[] {
  return phases
    .filter((p) => p.parentTopic === "" && !p.rule.params.has("cron") && !p.rule.params.has("files"))
    .map((phase) => ({
      severity: Severity.warning,
      ...at(phase),
      key: "",
      message: "non-scheduled phase: use dependsOn, cron or files (it only runs by backload)",
    }));
}
