/**
 * vitest's globalSetup for the projects whose tests run the command as a process (integration, browser): it builds
 * dist/ once before their first test (`npm run build`, under a second), so that any run of them, a single file
 * included, runs the sources as they are now.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));

export default function buildCommand(): void {
  const build = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: repo, encoding: "utf8" });
  if (build.status !== 0)
    throw new Error(`npm run build failed (exit ${build.status}): ${build.stderr || build.error?.message}`);
}
