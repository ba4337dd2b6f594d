#!/usr/bin/env -S MALLOC_ARENA_MAX=2 TASKMASTER_FIRST_LINE=1 node --max-semi-space-size=8
// The `taskmaster` command. The TypeScript sources are bundled by esbuild into node_modules/.cache/taskmaster the
// first time (and again whenever a source is newer than the bundle), then run as plain JavaScript: no build step
// for the user, and no loader thread at run time (a loader thread costs about 30 MiB and CPU on every import).
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { applyV8Settings } from "./v8settings.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const bundle = join(root, "node_modules", ".cache", "taskmaster", "main.mjs");

/** The newest modification time of the sources the bundle is made of. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleAge() {
  try {
    return statSync(bundle).mtimeMs;
  } catch {
    return 0;
  }
}

async function ensureBundle() {
  const dirs = ["cmd", "internal", "handler"].map((d) => join(root, d)).filter((d) => existsSync(d));
  const newest = Math.max(...dirs.map(newestSource));
  if (bundleAge() >= newest) return;
  const { build } = await import("esbuild");
  mkdirSync(dirname(bundle), { recursive: true });
  // Built into a folder of its own and renamed file by file, so processes starting together never read half a
  // bundle. The cache's writing thread is a second entry point (it runs in a worker thread beside main.mjs).
  const temp = join(dirname(bundle), `build-${process.pid}`);
  await build({
    entryPoints: { main: join(here, "main.ts"), "cache-worker": join(root, "internal/cache/worker.ts") },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    // A map file beside each bundle, read only when source maps are on: an inline map is a second copy of every
    // source, held in memory as part of the bundle's text (about 3 MiB).
    sourcemap: "linked",
    outdir: temp,
    outExtension: { ".js": ".mjs" },
    logLevel: "error",
  });
  // The maps and the worker first: main.mjs being newer than the sources is what says the bundle is complete.
  for (const name of ["main.mjs.map", "cache-worker.mjs.map", "cache-worker.mjs"])
    renameSync(join(temp, name), join(dirname(bundle), name));
  renameSync(join(temp, "main.mjs"), bundle);
  rmSync(temp, { recursive: true, force: true });
}

/**
 * What must be set before node starts is on the first line, which the system reads when the command is run as
 * itself (`taskmaster`, `cmd/taskmaster/bin.js`, `make run`; `node cmd/taskmaster/bin.js` skips it: give them
 * yourself there). Measured with `make bench` (in-flight RSS and throughput, runs alternating):
 *
 * - `--max-semi-space-size=8`: a young generation of 16 MiB instead of V8's 32. The service's young objects are
 *   short-lived (a message, its plan, its publish), so half the space costs no measurable throughput, and the RSS
 *   with 100 000 tasks in flight is about 15 MiB lower (5 runs with it, 6 without). The cache's writer thread does
 *   not inherit it: `v8settings.js`.
 * - `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates an arena of its own, up to 8 per core, and keeps
 *   what each one grew to; the service has a dozen threads (the cache writer, libuv's pool, V8's helpers). Two
 *   arenas made the RSS with 100 000 tasks in flight 15-20 MiB lower again (3 runs each way), for a few per cent of
 *   throughput, within the runs' noise. It is for this process only: it is taken out of the environment that the
 *   commands it runs (the exec worker's) get. (A MALLOC_ARENA_MAX of your own is replaced by it, and not passed on.)
 *
 * V8 settings applied once node has started, and the young generation left to each later thread: `v8settings.js`.
 */
if (process.env.TASKMASTER_FIRST_LINE === "1") {
  delete process.env.TASKMASTER_FIRST_LINE;
  delete process.env.MALLOC_ARENA_MAX;
}

applyV8Settings([...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" "));

await ensureBundle();
// Stack traces through the source maps cost about 7 MiB of memory; the bundle is not minified, so its own
// line numbers read well enough. TASKMASTER_SOURCE_MAPS=1 maps them back to the TypeScript sources.
process.setSourceMapsEnabled(process.env.TASKMASTER_SOURCE_MAPS === "1");
// Output piped into `head` and the like: a closed pipe ends the command quietly, as other CLI tools do.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});
const { main } = await import(pathToFileURL(bundle).href);
const code = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  env: process.env,
  readStdin: async () => {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
  },
});
// The command is over, so the process is too: nothing still open (a NATS client reconnecting to a server that is
// gone, a timer) may keep it running. What was written to stdout and stderr goes out first (pipes are asynchronous).
const flushed = (stream) => new Promise((resolve) => stream.write("", resolve));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
