/**
 * The processes `make bench` starts (taskmaster, the relays) and what it reads of them: started from the repository,
 * ready once their output says so, stopped with SIGTERM, measured from /proc; and the percentiles of what they did.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/** `node ARGS` in the repository, resolved once its standard output contains `ready`. */
export function spawnLogged(args: string[], ready: string): Promise<ChildProcess> {
  return spawnReady(process.execPath, args, ready).then((s) => s.process);
}

/** A taskmaster process, and the history process beside it once that listens (role all). */
export interface Taskmaster {
  readonly process: ChildProcess;
  /** The history child's pid and loopback port, from the engine's log line; never resolves for `--role engine`. */
  readonly history: Promise<{ readonly pid: number; readonly port: number }>;
}

/** The taskmaster command as `make bench` builds it into dist/, run as a user runs it (with `--log.format json`). */
export function spawnTaskmaster(args: string[], ready: string): Promise<Taskmaster> {
  return spawnReady(join(repo, "dist", "taskmaster.mjs"), args, ready, "history process listening");
}

interface Spawned {
  readonly process: ChildProcess;
  readonly history: Promise<{ readonly pid: number; readonly port: number }>;
}

/**
 * Resolves once the output contains `ready`. With `historyLine`, the output is also read line by line until a JSON
 * line with that message (its `pid` and `port`) came, whichever of the two comes first.
 */
function spawnReady(command: string, args: string[], ready: string, historyLine?: string): Promise<Spawned> {
  const child = spawn(command, args, { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
  let found: (h: { pid: number; port: number }) => void = () => {};
  const history = new Promise<{ pid: number; port: number }>((resolve) => {
    found = resolve;
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let lines = "";
    let started = false;
    let watching = historyLine !== undefined;
    // Once it is ready (and its history found) its output is still read (a full pipe would stop it), but no longer
    // kept and searched: that grew with every line it logs, and searching it took this process's CPU from the figures.
    child.stdout?.on("data", (c: Buffer) => {
      if (watching) {
        lines += c.toString();
        const complete = lines.split("\n");
        lines = complete.pop() ?? "";
        for (const line of complete) {
          if (!line.includes(historyLine as string)) continue;
          const { pid, port } = JSON.parse(line) as { pid: number; port: number };
          watching = false;
          lines = "";
          found({ pid, port });
          break;
        }
      }
      if (started) return;
      out += c.toString();
      if (!out.includes(ready)) return;
      started = true;
      out = out.slice(-400);
      resolve({ process: child, history });
    });
    child.once("exit", (code) =>
      reject(new Error(`${command} ${args[0]} exited ${code}: ${out.slice(-400)}`)),
    );
  });
}

export const stop = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    c.once("exit", () => resolve());
    c.kill("SIGTERM");
  });

/** A process's resident memory now (VmRSS) or at its peak (VmHWM), in MiB. */
export const rssMiB = (pid: number | undefined, field: "VmHWM" | "VmRSS") => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
};

/** Samples a process's resident memory every `everyMs`; `stop()` ends it and gives the highest sample, in MiB. */
export function rssSampler(pid: number | undefined, everyMs = 50): { stop(): number } {
  let highest = rssMiB(pid, "VmRSS");
  const timer = setInterval(() => {
    highest = Math.max(highest, rssMiB(pid, "VmRSS"));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(highest, rssMiB(pid, "VmRSS"));
    },
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** A TCP port free on loopback now, for a process that must listen where the bench can find it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
