/**
 * `taskmaster validate PATH`: every problem of a workflow file or directory, one line each.
 */
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { formatProblem, hasErrors, type Problem, Severity } from "../../internal/errors/index.ts";
import { loadSnapshot, type Snapshot } from "../../internal/workflow/index.ts";
import { Exit, type Io, UsageError } from "./io.ts";

const usage = "Usage: taskmaster validate PATH   (a workflow .toml file or a directory of them)";

export async function validateCommand(args: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parse(args);
  if (values.help) {
    io.out(usage);
    return Exit.ok;
  }
  const [root, extra] = positionals;
  if (!root || extra !== undefined) throw new UsageError(`validate takes one PATH\n${usage}`);
  const snapshot = await loadSnapshot(resolve(io.cwd, root));
  const isDir = isDirectory(snapshot.root);
  for (const problem of snapshot.problems) io.out(formatProblem(inFile(problem, root, isDir)));
  io.out(summary(snapshot));
  return hasErrors(snapshot.problems) ? Exit.failed : Exit.ok;
}

function parse(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { help: { type: "boolean", short: "h" } },
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

function summary(snapshot: Snapshot): string {
  const errors = snapshot.problems.filter((p) => p.severity === Severity.error).length;
  const warnings = snapshot.problems.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const counts = `${plural(snapshot.workflows.size, "workflow")}, ${plural(snapshot.phases.length, "phase")}`;
  return `${counts}: ${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}
