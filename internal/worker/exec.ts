/**
 * A handler that runs one process per task, so a worker can be any program: the task's values go into its
 * arguments, the task JSON to its stdin, and its exit status, `::meta` lines and stderr make the outcome.
 *
 * No shell: arguments are passed as they are, so a task value cannot inject a command. The process leads its own
 * process group, so a timeout or a stop ends what it started too (a `sh -c` script's children), and so does the
 * worker's own exit: a process ended before its tasks were (a forced shutdown) leaves none of them running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { formatDuration } from "../rule/index.ts";
import { Result, type Task, taskJson } from "../task/index.ts";
import { substituteArgs } from "./args.ts";
import { ProcessOutput } from "./output.ts";
import type { Handler, Outcome } from "./types.ts";

export interface ExecOptions {
  readonly command: string;
  /** May hold `{info}`, `{id}`, `{type}`, `{job}` and `{meta:KEY}`. */
  readonly args: readonly string[];
  /** Default 10 minutes. */
  readonly timeoutMs?: number;
  readonly cwd?: string;
  /** Added over the worker's own environment (PATH and the rest are kept). */
  readonly env?: Readonly<Record<string, string>>;
}

const defaultTimeoutMs = 10 * 60_000;
/** Between SIGTERM and SIGKILL: time for the process to clean up. */
const killAfterMs = 5_000;
/** After the process exits, how long to wait for its output pipes to close (a background child may hold them). */
const drainAfterExitMs = 1_000;

/** The processes of tasks not finished yet, for the exit hook. */
const unfinished = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of unfinished) signalGroup(child, "SIGKILL");
  });
}

export function execHandler(options: ExecOptions): Handler {
  installExitHook();
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  return (task, signal) => runProcess(options, timeoutMs, task, signal);
}

function runProcess(
  options: ExecOptions,
  timeoutMs: number,
  task: Task,
  signal: AbortSignal,
): Promise<Outcome> {
  if (signal.aborted) return Promise.resolve(failed("stopped"));
  return new Promise((resolve) => {
    const output = new ProcessOutput();
    let child: ChildProcess;
    try {
      child = spawn(options.command, substituteArgs(options.args, task), {
        cwd: options.cwd,
        env: options.env ? { ...process.env, ...options.env } : process.env,
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
      });
    } catch (err) {
      // Arguments spawn rejects outright (a NUL byte in a task value) fail here rather than on 'error'.
      resolve(failed(`cannot run ${options.command}: ${reason(err)}`));
      return;
    }
    unfinished.add(child);
    /** Why we ended the process, once we have; its exit is then reported as this. */
    let endedBecause: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const terminate = (why: string) => {
      if (endedBecause !== undefined) return;
      endedBecause = why;
      signalGroup(child, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(child, "SIGKILL"), killAfterMs);
    };
    const timeout = setTimeout(() => terminate(`timed out after ${formatDuration(timeoutMs)}`), timeoutMs);
    const onAbort = () => terminate("stopped");
    signal.addEventListener("abort", onAbort, { once: true });

    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      unfinished.delete(child);
      clearTimeout(timeout);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      signal.removeEventListener("abort", onAbort);
      resolve(outcome);
    };

    child.on("error", (err) => {
      // Emitted when the process could not start (ENOENT, EACCES) and then alone; other errors come with an exit.
      if (child.pid === undefined) finish(failed(`cannot run ${options.command}: ${reason(err)}`));
    });
    // A process that does not read its stdin closes it early; the write then fails with EPIPE, which is fine.
    child.stdin?.on("error", () => {});
    child.stdin?.end(taskJson(task));
    child.stdout?.on("data", (chunk: Buffer) => output.writeStdout(chunk));
    child.stderr?.on("data", (chunk: Buffer) => output.writeStderr(chunk));

    const report = (code: number | null, sig: NodeJS.Signals | null) => {
      output.endStdout();
      finish(outcomeOf(code, sig, endedBecause, output));
    };
    child.on("exit", (code, sig) => {
      // The run is over: a timeout or a stop from now on must not rename a finished run.
      clearTimeout(timeout);
      signal.removeEventListener("abort", onAbort);
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        report(code, sig);
      }, drainAfterExitMs);
    });
    child.on("close", (code: number | null, sig: NodeJS.Signals | null) => report(code, sig));
  });
}

function outcomeOf(
  code: number | null,
  sig: NodeJS.Signals | null,
  endedBecause: string | undefined,
  output: ProcessOutput,
): Outcome {
  const meta = Object.fromEntries(output.meta);
  const withMeta = (o: Outcome): Outcome => (output.meta.size > 0 ? { ...o, meta } : o);
  if (endedBecause !== undefined) return withMeta(failed(endedBecause));
  if (sig !== null) return withMeta(failed(`killed by ${sig}`));
  if (code === 0) return withMeta({ result: Result.complete, msg: "" });
  const tail = output.failureText();
  return withMeta(failed(tail ? `exit ${code}: ${tail}` : `exit ${code}`));
}

function failed(msg: string): Outcome {
  return { result: Result.error, msg };
}

/** The whole process group first (the command and what it started), the process alone if that is not possible. */
function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    try {
      child.kill(sig);
    } catch {
      // Already gone.
    }
  }
}

const reasons: Readonly<Record<string, string>> = {
  ENOENT: "not found",
  EACCES: "permission denied",
  ENOTDIR: "not a directory",
};

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && reasons[code]) return `${reasons[code]} (${code})`;
  return err instanceof Error ? err.message : String(err);
}
