// The command as `npm run build` makes it, run as a user runs it: a real process, real exit codes, output on the
// right streams.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { taskmasterCommand } from "./runtime/process.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));

function taskmaster(...args: string[]) {
  return taskmasterWith({}, ...args);
}

function taskmasterWith(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [taskmasterCommand, ...args], {
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

  it("runs as itself on a plain node: no flags of its own, the environment passed on as it was given", () => {
    // A preload that reports how node was started, and what the environment holds once the command ran.
    const dir = mkdtempSync(join(tmpdir(), "taskmaster-bin-"));
    const preload = join(dir, "report.cjs");
    writeFileSync(
      preload,
      [
        "const arenas = () => String(process.env.MALLOC_ARENA_MAX);",
        "process.stderr.write('flags ' + JSON.stringify(process.execArgv) + '\\n');",
        "process.on('exit', () => process.stderr.write('at exit arenas ' + arenas() + '\\n'));",
      ].join("\n"),
    );
    const r = spawnSync(join(repo, taskmasterCommand), ["--help"], {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: `--require ${preload}`, MALLOC_ARENA_MAX: "4" },
    });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("validate PATH");
    expect(r.stderr).toContain("flags []");
    expect(r.stderr).toContain("at exit arenas 4");
  });

  it("imports no package at run time but the production dependencies it is installed with", () => {
    // What the build's outputs import from outside themselves (esbuild's metafile, written by `npm run build`):
    // `npm ci --omit=dev` installs the dependencies, so anything else would be missing where the service runs.
    const meta = JSON.parse(readFileSync(join(repo, "dist", "meta.json"), "utf8")) as {
      outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
    };
    const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const packageOf = (path: string) =>
      path
        .split("/")
        .slice(0, path.startsWith("@") ? 2 : 1)
        .join("/");
    const imported = new Set(
      Object.values(meta.outputs)
        .flatMap((output) => output.imports)
        .filter((i) => i.external && !isBuiltin(i.path))
        .map((i) => packageOf(i.path)),
    );
    expect([...imported]).toContain("better-sqlite3"); // the list is what the bundle imports: a package shows
    expect([...imported].filter((name) => !(name in manifest.dependencies))).toEqual([]);
  });
});
