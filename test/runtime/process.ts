/**
 * taskmaster as a real process (`node dist/taskmaster.mjs run`, or any command), for tests that SIGKILL or SIGTERM
 * it. Its JSON log lines are collected so a test can wait for one. The command is the build in dist/, which the
 * projects that run these tests make before their first test (test/helpers/build.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "../helpers/wait.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/** The command as `npm run build` makes it, relative to the repository (the processes run there). */
export const taskmasterCommand = "dist/taskmaster.mjs";

export interface LogLine {
  readonly msg: string;
  readonly level: number;
  readonly [key: string]: unknown;
}

export interface TaskmasterProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly lines: LogLine[];
  readonly exited: Promise<number | null>;
  waitForLine(match: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  /** Runs the command line through another, e.g. inside `unshare` with a mount of its own. */
  readonly wrap?: (argv: readonly string[]) => readonly string[];
  /** Where the cache file goes (default: beside the workflows). */
  readonly cachePath?: string;
  /** The log message that says it started (default "taskmaster running"); "" to wait for none. */
  readonly until?: string;
}

export interface SpawnOptions {
  /** In a process group of its own, as a terminal runs a command (a signal to the group is what Ctrl-C sends). */
  readonly detached?: boolean;
}

export async function startTaskmaster(
  natsUrl: string,
  workflow: string,
  flags: readonly string[] = [],
  options: StartOptions = {},
): Promise<TaskmasterProcess> {
  // Its own cache beside the workflows (a temp dir, not the repository) and a free port for its API.
  const cache = [
    "--cache.path",
    options.cachePath ?? join(workflow, "taskmaster.db"),
    "--http.listen",
    "127.0.0.1:0",
  ];
  const args = [taskmasterCommand, "run", "--nats.url", natsUrl, "--workflow", workflow, ...cache, ...flags];
  const argv = [process.execPath, ...args, "--log.format", "json", "--log.level", "debug"];
  const p = spawnArgv(options.wrap ? options.wrap(argv) : argv);
  const until = options.until ?? "taskmaster running";
  if (until) await p.waitForLine((l) => l.msg === until);
  return p;
}

/** `taskmaster ARGS...` with JSON logs at debug level, not waiting for any line. */
export function spawnTaskmaster(args: readonly string[], options: SpawnOptions = {}): TaskmasterProcess {
  const argv = [process.execPath, taskmasterCommand, ...args, "--log.format", "json", "--log.level", "debug"];
  return spawnArgv(argv, options);
}

function spawnArgv(argv: readonly string[], options: SpawnOptions = {}): TaskmasterProcess {
  const [command = "", ...rest] = argv;
  const child = spawn(command, rest, {
    cwd: repo,
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached === true,
  });
  const lines: LogLine[] = [];
  let partial = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const text = partial + chunk.toString("utf8");
    const parts = text.split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as LogLine);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitForLine = async (match: (l: LogLine) => boolean, timeoutMs = 15_000) => {
    let found: LogLine | undefined;
    try {
      await waitFor(
        () => {
          found = lines.find(match);
          return found !== undefined;
        },
        { timeoutMs, message: "a log line" },
      );
    } catch (err) {
      // What the process wrote to stderr by then (a crash's stack) says why the line never came.
      throw new Error(`${(err as Error).message} (exit: ${child.exitCode}, stderr: ${stderr.slice(-500)})`);
    }
    return found as LogLine;
  };
  return {
    child,
    pid: child.pid ?? 0,
    lines,
    exited,
    waitForLine,
    async kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * Until the history behind the API at `url` answers (`taskmaster run` says it is running once the engine is; its
 * history process may still be starting, and the API answers 503 meanwhile).
 */
export async function historyAnswers(url: string, token = "", timeoutMs = 15_000): Promise<void> {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  await waitFor(async () => (await fetch(`${url}/api/v1/status`, { headers })).status === 200, {
    timeoutMs,
    message: `the history answering at ${url}`,
  });
}
