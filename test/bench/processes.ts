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
  return spawnReady(process.execPath, args, ready);
}

/** The taskmaster command as `make bench` builds it into dist/, run as a user runs it. */
export function spawnTaskmaster(args: string[], ready: string): Promise<ChildProcess> {
  return spawnReady(join(repo, "dist", "taskmaster.mjs"), args, ready);
}

function spawnReady(command: string, args: string[], ready: string): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    let started = false;
    // Once it is ready its output is still read (a full pipe would stop it), but no longer kept and searched: that
    // grew with every line it logs, and searching it took this process's CPU from the figures it measures.
    child.stdout?.on("data", (c: Buffer) => {
      if (started) return;
      out += c.toString();
      if (!out.includes(ready)) return;
      started = true;
      out = out.slice(-400);
      resolve(child);
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
