/** Where a phase is, for the problems found about it (file, phase name, header line). */
import type { Problem } from "../errors/index.ts";
import type { Phase } from "./types.ts";

export function at(phase: Phase): Pick<Problem, "workflow" | "phase" | "line"> {
  return {
    workflow: phase.workflow,
    phase: phase.key,
    ...(phase.line === undefined ? {} : { line: phase.line }),
  };
}
