// The installed command, run as a user runs it: a real process, real exit codes, output on the right streams.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("..", import.meta.url));

function taskmaster(...args: string[]) {
  return taskmasterWith({}, ...args);
}

function taskmasterWith(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, ["cmd/taskmaster/bin.js", ...args], {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the taskmaster command", () => {
  it("prints its help and exits 0", () => {
    const r = taskmaster("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("validate PATH");
  });

  it("validates the demo workflows with exit 0", () => {
    const r = taskmaster("validate", "config/workflows");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 errors/);
  });

  it("writes plan lines to stdout and errors to stderr with exit 1", () => {
    const ok = taskmaster(
      "plan",
      "--workflow",
      "config/workflows",
      "--file",
      "/tmp/taskmaster-demo/in/2026/01/02/a.csv",
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.trim())).toMatchObject({ topic: "ingest", delay_ms: 0 });
    const bad = taskmaster("plan", "--workflow", "config/workflows", "--done", "[]");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe("taskmaster: expected a JSON object, got an array\n");
  });

  it("does not load the AWS SDK (about 20 MiB) until a backup goes to S3", () => {
    // NODE_DEBUG=module names every CommonJS file node loads, which is what the SDK is made of.
    const r = taskmasterWith({ NODE_DEBUG: "module" }, "validate", "config/workflows");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("node_modules/pino/"); // the log is there: a module that is loaded shows
    expect(r.stderr).not.toContain("@aws-sdk");
  });

  it("exits 2 on a usage error", () => {
    expect(taskmaster("plan").code).toBe(2);
  });

  it("run as itself, starts node with a young generation of 16 MiB (its first line), and works", () => {
    // A preload that reports the flags node was started with, before the command runs.
    const dir = mkdtempSync(join(tmpdir(), "taskmaster-bin-"));
    const preload = join(dir, "flags.cjs");
    writeFileSync(preload, "process.stderr.write(`flags: ${JSON.stringify(process.execArgv)}\\n`);\n");
    const r = spawnSync(join(repo, "cmd", "taskmaster", "bin.js"), ["--help"], {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: `--require ${preload}` },
    });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("validate PATH");
    expect(r.stderr).toContain('flags: ["--max-semi-space-size=8"]');
  });
});
