/**
 * taskmaster as a real process (`node cmd/taskmaster/bin.js run`), for tests that SIGKILL or SIGTERM it. Its JSON log
 * lines are collected so a test can wait for one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "../helpers/wait.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));

export interface LogLine {
  readonly msg: string;
  readonly level: number;
  readonly [key: string]: unknown;
}

export interface TaskmasterProcess {
  readonly child: ChildProcess;
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
  const args = [
    "cmd/taskmaster/bin.js",
    "run",
    "--nats.url",
    natsUrl,
    "--workflow",
    workflow,
    ...cache,
    ...flags,
  ];
  const argv = [process.execPath, ...args, "--log.format", "json", "--log.level", "debug"];
  const [command = "", ...rest] = options.wrap ? options.wrap(argv) : argv;
  const child = spawn(command, rest, {
    cwd: repo,
    stdio: ["ignore", "pipe", "pipe"],
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
    await waitFor(
      () => {
        found = lines.find(match);
        return found !== undefined;
      },
      { timeoutMs, message: `a log line (stderr: ${stderr.slice(-500)})` },
    );
    return found as LogLine;
  };
  await waitForLine((l) => l.msg === "taskmaster running");
  return {
    child,
    lines,
    exited,
    waitForLine,
    async kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}
