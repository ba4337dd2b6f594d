/**
 * Errors and problems shared by every module.
 *
 * A `Problem` is something a person must read and fix (a workflow file, a rule, a config key); it always says where.
 * An error class is thrown for a failure a caller may want to tell apart from others by `name`.
 */

export const Severity = { error: "error", warning: "warning" } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** One finding about a workflow, phase or key. `workflow` is the workflow name (its path relative to the root). */
export interface Problem {
  readonly severity: Severity;
  readonly workflow: string;
  /** The phase it concerns (`topic[:job]`, or `phase #N` when the task is missing); "" for the whole file. */
  readonly phase: string;
  /** The key at fault: `task`, `dependsOn`, `rule.cron`, `template` ...; "" when the whole phase or file is meant. */
  readonly key: string;
  readonly message: string;
  /** 1-based line (and column) in the file when known. */
  readonly line?: number;
  readonly column?: number;
}

/** Renders a problem as `FILE: PHASE: KEY: message` (the phase and key parts are left out when empty). */
export function formatProblem(p: Problem): string {
  const where =
    p.line === undefined ? p.workflow : `${p.workflow}:${p.line}${p.column ? `:${p.column}` : ""}`;
  const parts = [where];
  if (p.phase) parts.push(p.phase);
  const level = p.severity === Severity.warning ? "warning: " : "";
  parts.push(`${level}${p.key ? `${p.key}: ` : ""}${p.message}`);
  return parts.join(": ");
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === Severity.error);
}

/** A message that could not be accepted as a task (bad JSON, a wrong field type, too large ...). */
export class TaskParseError extends Error {
  override readonly name = "TaskParseError";
  /** The JSON field at fault, or "" when the message as a whole is bad. */
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(field ? `${field}: ${message}` : message, options);
    this.field = field;
  }
}

/** A trigger the planner cannot turn into tasks (unknown result, no such phase, a bad batch ...). */
export class PlanError extends Error {
  override readonly name = "PlanError";
}

/** Input a person gave (a time, a flag, a request body) that is not understood. */
export class InputError extends Error {
  override readonly name = "InputError";
}

/** A message on the files topic that announces no file we can use (garbage, a wrong field, a folder ...). */
export class FileMessageError extends Error {
  override readonly name = "FileMessageError";
}
