/**
 * execHandler with real processes: exit codes, stderr, `::meta` lines, argument placeholders, stdin, timeouts,
 * stops and commands that do not exist.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Task, taskJson } from "../../internal/task/index.ts";
import { execHandler } from "../../internal/worker/index.ts";
import { waitFor } from "../helpers/wait.ts";

const task: Task = {
  type: "sort",
  job: "daily",
  info: "gs://bucket/in.json?date=2026-01-02",
  id: "5f0c3c2a-9d1e-4c1b-8f5e-2b7d9a6e4c11",
  created: "2026-01-02T03:04:05Z",
  meta: "file=gs://bucket/in.json&workflow=sort.toml",
};

function sh(script: string, extra: { timeoutMs?: number; args?: string[] } = {}) {
  return execHandler({
    command: "sh",
    args: ["-c", script, "sh", ...(extra.args ?? [])],
    timeoutMs: extra.timeoutMs,
  });
}

/** Running, not a zombie nobody has reaped yet (a container's init may reap late). */
function isAlive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(stat, "utf8"));
  } catch {
    return false;
  }
}

const run = (handler: ReturnType<typeof sh>, signal = new AbortController().signal) => handler(task, signal);

describe("execHandler", () => {
  it("reports exit 0 as complete with an empty message", async () => {
    expect(await run(sh("echo working; exit 0"))).toEqual({ result: "complete", msg: "" });
  });

  it("reports a non-zero exit as error with the end of stderr", async () => {
    const outcome = await run(
      sh("echo progress; echo 'first line' >&2; echo '  bucket not found  ' >&2; exit 3"),
    );
    expect(outcome).toEqual({ result: "error", msg: "exit 3: first line\n  bucket not found" });
  });

  it("keeps only the last KiB of stderr", async () => {
    const outcome = await run(sh("head -c 5000 /dev/zero | tr '\\0' x >&2; printf '\\nEND' >&2; exit 1"));
    expect(outcome.msg).toMatch(/^exit 1: x+\nEND$/);
    expect(outcome.msg?.length).toBeLessThanOrEqual("exit 1: ".length + 1024);
  });

  it("falls back to stdout when stderr is empty", async () => {
    expect(await run(sh("echo 'no such table'; exit 2"))).toEqual({
      result: "error",
      msg: "exit 2: no such table",
    });
  });

  it("merges ::meta lines into the outcome's meta, a later line winning", async () => {
    const outcome = await run(
      sh('echo "::meta file=gs://b/out.json&rows=10"; echo other output; printf "::meta rows=12\\n"'),
    );
    expect(outcome).toEqual({ result: "complete", msg: "", meta: { file: "gs://b/out.json", rows: "12" } });
  });

  it("substitutes {info}, {id}, {type}, {job} and {meta:KEY} in the arguments", async () => {
    const args = ["{info}", "{id}", "{type}:{job}", "{meta:file}", "[{meta:missing}]", "{other}"];
    const outcome = await run(sh('printf "%s\\n" "$@" >&2; exit 1', { args }));
    expect(outcome.msg).toBe(
      [
        "exit 1: gs://bucket/in.json?date=2026-01-02",
        task.id,
        "sort:daily",
        "gs://bucket/in.json",
        "[]",
        "{other}",
      ].join("\n"),
    );
  });

  it("writes the task JSON to the process's stdin", async () => {
    expect(await run(sh("cat >&2; exit 4"))).toEqual({ result: "error", msg: `exit 4: ${taskJson(task)}` });
  });

  it("does not mind a process that never reads its stdin", async () => {
    expect(await run(sh("exec 0<&-; exit 0"))).toEqual({ result: "complete", msg: "" });
  });

  it("kills a process that runs past its timeout, with what it started", async () => {
    const dir = await mkdtemp(join(tmpdir(), "taskmaster-exec-"));
    try {
      const pidFile = join(dir, "sleep.pid");
      const t0 = Date.now();
      const outcome = await run(sh('sleep 30 & echo $! > "$1"; wait', { timeoutMs: 300, args: [pidFile] }));
      expect(outcome).toEqual({ result: "error", msg: "timed out after 300ms" });
      expect(Date.now() - t0).toBeLessThan(3_000);
      const sleepPid = Number(await readFile(pidFile, "utf8"));
      await waitFor(() => !isAlive(sleepPid), { message: `the background sleep (pid ${sleepPid}) ended` });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("ends the process when the signal aborts (the worker stops)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "taskmaster-exec-"));
    try {
      const started = join(dir, "started");
      const abort = new AbortController();
      const pending = run(sh('echo $$ > "$1"; exec sleep 30', { args: [started] }), abort.signal);
      await waitFor(() => existsSync(started) && readFileSync(started, "utf8").endsWith("\n"), {
        message: "the command running",
      });
      abort.abort();
      expect(await pending).toEqual({ result: "error", msg: "stopped" });
      const pid = Number(readFileSync(started, "utf8"));
      await waitFor(() => !isAlive(pid), { message: `the command (pid ${pid}) ended` });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports a process killed by a signal", async () => {
    expect(await run(sh("kill -9 $$"))).toEqual({ result: "error", msg: "killed by SIGKILL" });
  });

  it("reports a command that cannot start", async () => {
    const outcome = await run(execHandler({ command: "/nonexistent/bin/sorter", args: [] }));
    expect(outcome).toEqual({
      result: "error",
      msg: "cannot run /nonexistent/bin/sorter: not found (ENOENT)",
    });
  });
});
