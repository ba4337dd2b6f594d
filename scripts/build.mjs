// Builds the taskmaster command into dist/: `npm run build`, run by make and by npm's `prepare` (so `npm ci` builds
// it). esbuild bundles the TypeScript sources into plain JavaScript; the npm packages stay outside the bundle
// (`packages: "external"`), so dist/ runs beside the project's node_modules, from which it resolves them.
//
// - dist/taskmaster.mjs: the command (`cmd/taskmaster/bin.ts`), the package's bin.
// - a `.map` beside each: read only when node runs with `--enable-source-maps` (an inline map would be a second
//   copy of every source in the bundle's text, held in memory).
// - dist/meta.json: what each output is made of and imports (esbuild's metafile; test/bin.test.ts checks that the
//   command imports no package it is not installed with).
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

async function loadEsbuild() {
  try {
    return await import("esbuild");
  } catch (err) {
    if (err?.code !== "ERR_MODULE_NOT_FOUND") throw err;
    process.stderr.write(
      "taskmaster build: esbuild is not installed. It is a development dependency: build where they are " +
        "installed (`npm ci`, not `npm ci --omit=dev`), then copy dist/ or remove them (`npm prune --omit=dev`).\n",
    );
    process.exit(1);
  }
}

const { build } = await loadEsbuild();
// Built into a folder of its own, then moved into dist/ file by file, the command last: a process that starts
// during a build runs the old files or the new ones, never half a file.
const temp = join(dist, `.build-${process.pid}`);
mkdirSync(temp, { recursive: true });
try {
  const result = await build({
    absWorkingDir: root,
    // Named, not found: the JSX settings are there (hono/jsx), and without them the pages would not render.
    tsconfig: "tsconfig.json",
    entryPoints: { taskmaster: "cmd/taskmaster/bin.ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    metafile: true,
    outdir: temp,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  writeFileSync(join(temp, "meta.json"), JSON.stringify(result.metafile));
  chmodSync(join(temp, "taskmaster.mjs"), 0o755);
  const files = ["meta.json", "taskmaster.mjs.map", "taskmaster.mjs"];
  for (const name of files) renameSync(join(temp, name), join(dist, name));
} finally {
  rmSync(temp, { recursive: true, force: true });
}
