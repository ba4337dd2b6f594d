/**
 * Builds an immutable workflow snapshot from files already read (pure): each file parsed and validated, the
 * workflows and phases in flowlord's order, every problem kept. Reading the files is `load.ts`'s job.
 */
import { createHash } from "node:crypto";
import type { Problem } from "../errors/index.ts";
import { parseWorkflowFile } from "./parse.ts";
import type { Phase, Snapshot, Workflow } from "./types.ts";
import { validateWorkflow } from "./validate.ts";

/** One workflow file: its name (path relative to the root, `/` separated), where it was read, and its text. */
export interface WorkflowFile {
  readonly name: string;
  readonly path: string;
  readonly text: string;
}

export function buildSnapshot(root: string, files: readonly WorkflowFile[]): Snapshot {
  const workflows = new Map<string, Workflow>();
  const problems: Problem[] = [];
  for (const file of [...files].sort((a, b) => compare(a.name, b.name))) {
    const parsed = parseWorkflowFile(file.name, file.text);
    const found = parsed.parsed
      ? [...parsed.problems, ...validateWorkflow(file.name, parsed.phases)]
      : parsed.problems;
    problems.push(...inLineOrder(found));
    if (!parsed.parsed) continue;
    workflows.set(file.name, {
      name: file.name,
      path: file.path,
      checksum: checksum(file.text),
      phases: [...parsed.phases].sort(byKey),
    });
  }
  const phases = [...workflows.values()].flatMap((w) => w.phases);
  return { root, workflows, phases, problems };
}

/** md5 hex of the text's UTF-8 bytes: flowlord's checksum of a local file, shown and compared on reload. */
export function checksum(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

/** Problems about the whole file first, then by line; ties keep the order they were found in. */
function inLineOrder(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function byKey(a: Phase, b: Phase): number {
  return compare(a.key, b.key) || a.index - b.index;
}

/** Plain code-unit order, the same on every machine (no locale). */
export function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
