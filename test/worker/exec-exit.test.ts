/**
 * A worker process that exits while its tasks' processes still run (a forced shutdown: the drain limit, a second
 * Ctrl-C) leaves none of them behind, background children included.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { isRunning } from "../helpers/proctree.ts";
import { waitFor } from "../helpers/wait.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));

// Starts a task whose script puts `sleep` in the background and writes its PID, then exits without stopping it.
const probe = `
import { existsSync, readFileSync } from "node:fs";
const { execHandler } = await import(process.argv[1]);
const pidFile = process.argv[2];
const run = execHandler({ command: "sh", args: ["-c", 'sleep 60 & echo $! > "$0"; wait', pidFile] });
void run({ type: "t", info: "" }, new AbortController().signal);
setInterval(() => {
  if (existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\\n")) process.exit(3);
}, 10);
`;

it("ends its tasks' process groups when the worker's process exits", async () => {
  const dir = mkdtempSync(join(tmpdir(), "taskmaster-exec-exit-"));
  const pidFile = join(dir, "sleep.pid");
  const worker = join(repo, "internal/worker/index.ts");
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", probe, worker, pidFile],
    { cwd: repo, encoding: "utf8", timeout: 30_000 },
  );
  expect(r.stderr).toBe("");
  expect(r.status).toBe(3);
  const sleep = Number(readFileSync(pidFile, "utf8"));
  rmSync(dir, { recursive: true, force: true });
  await waitFor(() => !isRunning(sleep), { timeoutMs: 3000, message: "the task's background sleep gone" });
});
