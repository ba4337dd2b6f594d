/**
 * The meta-files a plan will read, named before planning, so the edge can fetch those kept elsewhere (`s3://`,
 * `gs://`) and hand the planner their rows: reading a bucket is asynchronous, planning stays a pure function.
 */
import type { MetaRow } from "../rule/index.ts";
import { parseMeta, Result, type Task } from "../task/index.ts";
import type { Phase, Snapshot } from "../workflow/index.ts";
import { childrenOf } from "../workflow/index.ts";
import { type BackloadRequest, backloadPhase } from "./backload.ts";
import type { LaunchRequest } from "./launch.ts";
import type { PlanContext } from "./types.ts";

/** Fetched meta-files by pattern: their rows, or why they could not be read (the error names the file). */
export type FetchedMetaFiles = ReadonlyMap<string, readonly MetaRow[] | Error>;

/** The meta-file a cron slot of `phase` reads, if any. */
export function cronMetaFiles(phase: Phase): string[] {
  return phase.rule.metaFile ? [phase.rule.metaFile] : [];
}

/** The meta-files the children of a finished task read: only a complete task has children. */
export function doneMetaFiles(snapshot: Snapshot, task: Task): string[] {
  if (task.result !== Result.complete) return [];
  const meta = parseMeta(task.meta);
  const workflow = meta.get("workflow") ?? "";
  if (!workflow) return [];
  const children = childrenOf(snapshot, workflow, task.type, task.job || meta.get("job") || "");
  return [...new Set(children.flatMap(cronMetaFiles))];
}

/** The meta-file a backload reads: the request's own, else its phase's when the request gives no rows. */
export function backloadMetaFiles(snapshot: Snapshot, req: BackloadRequest): string[] {
  if (req.meta && req.meta.size > 0) return [];
  if (req.metaFile) return [req.metaFile];
  const phase = backloadPhase(snapshot, req);
  return phase ? cronMetaFiles(phase) : [];
}

/** The meta-file a launch reads: its phase's, unless the caller gives meta values. */
export function launchMetaFiles(snapshot: Snapshot, req: LaunchRequest): string[] {
  if (req.meta.size > 0) return [];
  const phase = snapshot.phases.find((p) => p.workflow === req.workflow && p.key === req.phase);
  return phase ? cronMetaFiles(phase) : [];
}

/** `ctx` reading the fetched meta-files from `fetched` (throwing the error of one that failed), others as before. */
export function withFetchedMetaFiles(ctx: PlanContext, fetched: FetchedMetaFiles): PlanContext {
  if (fetched.size === 0) return ctx;
  return {
    ...ctx,
    readMetaFile: (pattern) => {
      const got = fetched.get(pattern);
      if (got === undefined) return ctx.readMetaFile(pattern);
      if (got instanceof Error) throw got;
      return got;
    },
  };
}
