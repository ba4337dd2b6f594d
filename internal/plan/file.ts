/**
 * A file arriving: every phase whose `files=` glob matches its path emits a task.
 *
 * The template gets the time from the path (flowlord's path rules) and, through `{meta:...}`, the file's path and
 * base name and every key of the phase's own rule. One file may match several phases in several workflows.
 */
import { compileGlob, type Glob } from "../rule/index.ts";
import { fillMeta, pathTime, render } from "../tmpl/index.ts";
import type { Phase, Snapshot } from "../workflow/index.ts";
import { filePhases } from "../workflow/index.ts";
import { newTask, phaseRef, templateEnv } from "./emit.ts";
import { boundedKey } from "./key.ts";
import { type Emission, EmissionKind, type Plan, type PlanContext } from "./types.ts";

/** A file as the watcher or the files topic reports it. */
export interface FileArrival {
  readonly path: string;
  readonly size?: number;
  /** Modification (or creation) time, RFC 3339. */
  readonly modified?: string;
}

// Globs are compiled once per pattern: a snapshot's patterns are few and fixed.
const globs = new Map<string, Glob | null>();

function globOf(pattern: string): Glob | null {
  let glob = globs.get(pattern);
  if (glob === undefined) {
    const compiled = compileGlob(pattern);
    glob = "glob" in compiled ? compiled.glob : null;
    globs.set(pattern, glob);
  }
  return glob;
}

/** The file phases whose glob matches `path`, in snapshot order (workflow, then phase). */
export function matchFile(snapshot: Snapshot, path: string): Phase[] {
  return filePhases(snapshot).filter((phase) => {
    const pattern = phase.rule.files;
    return pattern !== undefined && (globOf(pattern)?.match(path) ?? false);
  });
}

export function planFile(snapshot: Snapshot, file: FileArrival, ctx: PlanContext): Plan {
  const phases = matchFile(snapshot, file.path);
  if (phases.length === 0) return { emissions: [], alerts: [], notes: [`no match found for "${file.path}"`] };
  const wall = pathTime(file.path);
  const identity = boundedKey(`${file.path}|${file.size ?? ""}|${file.modified ?? ""}`);
  const emissions = phases.map((phase): Emission => {
    // Flowlord copies the whole rule query into the meta, then adds the file, its name, the workflow and the job.
    const meta = new Map<string, string>();
    for (const [key, values] of phase.rule.params) meta.set(key, values[0] ?? "");
    meta.set("file", file.path);
    meta.set("filename", baseName(file.path));
    meta.set("workflow", phase.workflow);
    if (phase.job) meta.set("job", phase.job);
    const info = fillMeta(render(phase.template, wall, templateEnv(ctx)), (key) => meta.get(key)).text;
    return {
      kind: EmissionKind.file,
      topic: phase.topic,
      delayMs: 0,
      task: newTask(ctx, { type: phase.topic, job: phase.job, info, meta }),
      phase: phaseRef(phase),
      dedupeKey: `file|${phase.workflow}|${phase.key}|${identity}`,
    };
  });
  return { emissions, alerts: [], notes: [] };
}

function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}
