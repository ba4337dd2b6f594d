/**
 * `taskmaster plan`: what a trigger would emit, computed by the same planner the service runs, sent nowhere.
 * Prints one line per task: {"topic": ..., "delay_ms": ..., "task": {...}}; notes and alerts go to stderr.
 * Meta-files in buckets are read as the service reads them, with the bucket settings of the service's config.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { isBucketUrl } from "../../internal/bucket/index.ts";
import {
  formatProblem,
  hasErrors,
  InputError,
  PlanError,
  TaskParseError,
} from "../../internal/errors/index.ts";
import { filePath } from "../../internal/files/index.ts";
import { remoteMetaFiles } from "../../internal/metafiles/index.ts";
import {
  backloadMetaFiles,
  cronMetaFiles,
  doneMetaFiles,
  type Plan,
  type PlanContext,
  parseBackloadRequest,
  planBackload,
  planCron,
  planDone,
  planFile,
  seededRandom,
  withFetchedMetaFiles,
} from "../../internal/plan/index.ts";
import { namesStore } from "../../internal/rule/index.ts";
import { parseTask, taskJson } from "../../internal/task/index.ts";
import { parseTimeInput } from "../../internal/tmpl/index.ts";
import {
  loadSnapshot,
  MetaFileError,
  type Phase,
  readMetaFile,
  type Snapshot,
} from "../../internal/workflow/index.ts";
import { Exit, type Io, UsageError } from "./io.ts";
import { bucketAccess } from "./storeconfig.ts";

const options = {
  workflow: { type: "string" },
  cron: { type: "string" },
  at: { type: "string" },
  done: { type: "string" },
  file: { type: "string" },
  backload: { type: "string" },
  in: { type: "string" },
  now: { type: "string" },
  "failed-topic": { type: "string", default: "retry-failed" },
  config: { type: "string", short: "c" },
  help: { type: "boolean", short: "h" },
} as const;

const usage = `Usage: taskmaster plan --workflow PATH (--cron TASK[:JOB] --at TIME | --done JSON | --file PATH | --backload JSON)
                      [--in WORKFLOW] [--now TIME] [--failed-topic TOPIC] [--config FILE]
  --config FILE   the service config whose [cache.s3] and [cache.gcs] reach meta-files in buckets
                  (default $TASKMASTER_CONFIG; TASKMASTER_* variables apply too)`;

type Values = ReturnType<typeof parse>["values"];

export async function planCommand(args: readonly string[], io: Io): Promise<number> {
  const { values } = parse(args);
  if (values.help) {
    io.out(usage);
    return Exit.ok;
  }
  const triggers = (["cron", "done", "file", "backload"] as const).filter((k) => values[k] !== undefined);
  if (!values.workflow) throw new UsageError(`--workflow is required\n${usage}`);
  if (triggers.length !== 1)
    throw new UsageError(`give exactly one of --cron, --done, --file, --backload\n${usage}`);
  if (values.cron !== undefined && !values.at) throw new UsageError("--cron needs --at TIME");
  try {
    const now = values.now ? readTime("--now", values.now) : new Date();
    const snapshot = await loadSnapshot(resolve(io.cwd, values.workflow));
    if (hasErrors(snapshot.problems)) {
      for (const p of snapshot.problems) io.err(formatProblem(p));
      io.err("taskmaster: the workflows have errors; fix them first (see `taskmaster validate`)");
      return Exit.failed;
    }
    const ctx: PlanContext = {
      now,
      host: hostname(),
      newId: randomUUID,
      random: seededRandom,
      readMetaFile: (pattern) => readMetaFile(pattern, io.cwd),
      failedTopic: values["failed-topic"],
    };
    const plan = await planTrigger(snapshot, values, ctx, io);
    if (!plan) return Exit.failed;
    for (const e of plan.emissions) {
      io.out(`{"topic":${JSON.stringify(e.topic)},"delay_ms":${e.delayMs},"task":${taskJson(e.task)}}`);
    }
    for (const note of plan.notes) io.err(`note: ${note}`);
    for (const alert of plan.alerts) io.err(`alert (${alert.kind}): ${alert.message}`);
    return Exit.ok;
  } catch (err) {
    if (
      err instanceof InputError ||
      err instanceof PlanError ||
      err instanceof TaskParseError ||
      err instanceof MetaFileError
    ) {
      io.err(`taskmaster: ${err.message}`);
      return Exit.failed;
    }
    throw err;
  }
}

function parse(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function planTrigger(
  snapshot: Snapshot,
  values: Values,
  base: PlanContext,
  io: Io,
): Promise<Plan | null> {
  const reading = (patterns: readonly string[]) => withBucketFiles(patterns, base, values.config, io);
  if (values.cron !== undefined) {
    const phase = pickPhase(snapshot, values.cron, values.in, io);
    if (!phase) return null;
    if (!phase.rule.cron) throw new InputError(`${phase.workflow}: ${phase.key} has no cron rule`);
    const at = readTime("--at", values.at ?? "");
    const ctx = await reading(cronMetaFiles(phase));
    return ctx && planCron(phase, at, ctx);
  }
  if (values.done !== undefined) {
    const task = parseTask(await readJson(values.done, io));
    const ctx = await reading(doneMetaFiles(snapshot, task));
    return ctx && planDone(snapshot, task, ctx);
  }
  if (values.file !== undefined) return planFile(snapshot, localArrival(arrivingPath(values.file, io)), base);
  const text = await readJson(values.backload ?? "", io);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new InputError(`--backload: not valid JSON: ${(err as Error).message}`);
  }
  const request = parseBackloadRequest(body);
  const ctx = await reading(backloadMetaFiles(snapshot, request));
  if (!ctx) return null;
  const plan = planBackload(snapshot, request, ctx);
  for (const line of plan.status) io.err(`status: ${line}`);
  return plan;
}

/** `ctx` with the meta-files in buckets among `patterns` fetched; null when the config that reaches them has errors. */
async function withBucketFiles(
  patterns: readonly string[],
  ctx: PlanContext,
  configFile: string | undefined,
  io: Io,
): Promise<PlanContext | null> {
  const urls = patterns.filter(isBucketUrl);
  if (urls.length === 0) return ctx;
  const access = bucketAccess(configFile, io);
  if (!access) {
    io.err(`taskmaster: the config has errors; it is needed to read ${urls.join(", ")}`);
    return null;
  }
  const files = remoteMetaFiles({ access });
  try {
    return withFetchedMetaFiles(ctx, await files.fetch(urls));
  } finally {
    files.close();
  }
}

/** The phase named TASK[:JOB]; with several candidates, `--in` picks one, or they are listed. */
function pickPhase(snapshot: Snapshot, name: string, inWorkflow: string | undefined, io: Io): Phase | null {
  const colon = name.indexOf(":");
  const topic = colon < 0 ? name : name.slice(0, colon);
  const job = colon < 0 ? undefined : name.slice(colon + 1);
  const named = snapshot.phases.filter((p) => p.topic === topic && (job === undefined || p.job === job));
  const exact = named.filter((p) => p.key === name);
  const scheduled = (exact.length > 0 ? exact : named).filter((p) => p.rule.cron);
  let candidates = scheduled.length > 0 ? scheduled : exact.length > 0 ? exact : named;
  if (inWorkflow !== undefined) candidates = candidates.filter((p) => p.workflow === inWorkflow);
  const [first, second] = candidates;
  if (first && !second) return first;
  if (!first) {
    const where = inWorkflow === undefined ? "any workflow" : inWorkflow;
    throw new InputError(`no phase ${name} in ${where}`);
  }
  io.err(`taskmaster: ${name} is ambiguous; pick one with --in WORKFLOW (and TASK:JOB):`);
  for (const p of candidates) io.err(`  --in ${p.workflow} --cron ${p.key}`);
  return null;
}

/**
 * The path the runtime would see: a local path given relative to where the command runs is made absolute (a watched
 * file's path is), then checked as a files-topic path is (no `..`, made canonical).
 */
function arrivingPath(path: string, io: Io): string {
  const absolute = namesStore(path) || path.startsWith("/") ? path : resolve(io.cwd, path);
  try {
    return filePath(absolute, "--file");
  } catch (err) {
    throw new InputError((err as Error).message);
  }
}

/** A path as the runtime sees it: a local file that exists has its size and modification time (its identity). */
function localArrival(path: string): { path: string; size?: number; modified?: string } {
  try {
    const stat = statSync(path);
    if (stat.isFile()) return { path, size: stat.size, modified: new Date(stat.mtimeMs).toISOString() };
  } catch {
    // Not a local file (gs://, s3:// or not there yet): the path alone decides which phases match.
  }
  return { path };
}

async function readJson(value: string, io: Io): Promise<string> {
  if (value === "-") return io.readStdin();
  if (value.startsWith("@")) return readFileSync(resolve(io.cwd, value.slice(1)), "utf8");
  return value;
}

function readTime(flag: string, text: string): Date {
  const t = parseTimeInput(text);
  if (!t)
    throw new InputError(
      `${flag}: cannot read "${text}" as a time; use RFC 3339, YYYY-MM-DD or YYYY-MM-DDTHH`,
    );
  return t;
}
