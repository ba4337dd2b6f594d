/**
 * `taskmaster validate PATH`: every problem of a workflow file or directory, one line each. Meta-files named by
 * URL are checked against the service's config (`--config FILE`, else $TASKMASTER_CONFIG, and TASKMASTER_*
 * variables): a scheme taskmaster does not read, or a gs:// URL without the HMAC key, is an error here, not a
 * failure at every run.
 */
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { schemeOf } from "../../internal/bucket/index.ts";
import { formatProblem, hasErrors, type Problem, Severity } from "../../internal/errors/index.ts";
import { metaFileProblems } from "../../internal/metafiles/index.ts";
import { loadSnapshot, type Snapshot } from "../../internal/workflow/index.ts";
import { Exit, type Io, UsageError } from "./io.ts";
import { bucketAccess } from "./storeconfig.ts";

const usage = `Usage: taskmaster validate PATH [--config FILE]
  PATH            a workflow .toml file or a directory of them
  --config FILE   the service config whose [cache.s3] and [cache.gcs] reach meta-files in buckets
                  (default $TASKMASTER_CONFIG; TASKMASTER_* variables apply too)`;

export async function validateCommand(args: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parse(args);
  if (values.help) {
    io.out(usage);
    return Exit.ok;
  }
  const [root, extra] = positionals;
  if (!root || extra !== undefined) throw new UsageError(`validate takes one PATH\n${usage}`);
  const snapshot = await loadSnapshot(resolve(io.cwd, root));
  const urls = snapshot.phases.some(
    (p) => p.rule.metaFile !== undefined && schemeOf(p.rule.metaFile) !== undefined,
  );
  const access = urls ? bucketAccess(values.config, io) : undefined;
  if (access === null)
    io.err("taskmaster: the config has errors, so meta-files named by URL are not checked");
  const problems = access
    ? [...snapshot.problems, ...metaFileProblems(snapshot.phases, access)]
    : snapshot.problems;
  const isDir = isDirectory(snapshot.root);
  for (const problem of problems) io.out(formatProblem(inFile(problem, root, isDir)));
  io.out(summary(snapshot, problems));
  return hasErrors(problems) || access === null ? Exit.failed : Exit.ok;
}

function parse(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { help: { type: "boolean", short: "h" }, config: { type: "string", short: "c" } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Names the file as the user can open it (the PATH they gave, joined with the workflow's name). */
function inFile(problem: Problem, root: string, isDir: boolean): Problem {
  const workflow = problem.workflow && isDir ? join(root, problem.workflow) : root;
  return { ...problem, workflow };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function summary(snapshot: Snapshot, problems: readonly Problem[]): string {
  const errors = problems.filter((p) => p.severity === Severity.error).length;
  const warnings = problems.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const counts = `${plural(snapshot.workflows.size, "workflow")}, ${plural(snapshot.phases.length, "phase")}`;
  return `${counts}: ${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}
