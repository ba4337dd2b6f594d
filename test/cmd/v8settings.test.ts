// The command's V8 settings, in a node started with the young generation that `bin.js`'s first line gives it: the
// main thread keeps that size, and a worker thread started after the settings (as the cache's writer is) gets the
// size its resourceLimits ask for.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { writerResourceLimits } from "../../internal/cache/index.ts";

const firstLine =
  readFileSync(new URL("../../cmd/taskmaster/bin.js", import.meta.url), "utf8").split("\n")[0] ?? "";
const semiSpaceFlag = /--max-semi-space-size=(\d+)/.exec(firstLine);
const settings = new URL("../../cmd/taskmaster/v8settings.js", import.meta.url).href;

// Enough short-lived objects for V8 to grow a young generation to its largest.
const churn =
  "let keep = []; for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 5000) keep = []; }";
const youngMiB = "getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576";
// As dynamic imports: an evaluated worker runs as a module or as CommonJS, as node was started.
const workerCode = `Promise.all([import("node:v8"), import("node:worker_threads")]).then(([{ getHeapSpaceStatistics }, { parentPort }]) => { ${churn}; parentPort.postMessage(${youngMiB}); });`;

/** The young generation of the main thread and of a worker thread, in MiB, each after a burst of allocations. */
function youngGenerations(applySettings: boolean): { main: number; worker: number } {
  const script = `
    import { Worker } from "node:worker_threads";
    import { getHeapSpaceStatistics } from "node:v8";
    ${applySettings ? `(await import(${JSON.stringify(settings)})).applyV8Settings("");` : ""}
    ${churn}
    const main = ${youngMiB};
    const worker = await new Promise((resolve, reject) => {
      const w = new Worker(${JSON.stringify(workerCode)}, { eval: true, resourceLimits: ${JSON.stringify(writerResourceLimits)} });
      w.once("message", resolve);
      w.once("error", reject);
    });
    console.log(JSON.stringify({ main, worker }));
  `;
  const r = spawnSync(process.execPath, [semiSpaceFlag?.[0] ?? "", "--input-type=module", "-e", script], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { main: number; worker: number };
}

describe("the command's V8 settings", () => {
  it("the first line sets the main thread's young generation", () => {
    expect(semiSpaceFlag?.[1]).toBe("8");
  });

  it("leave the main thread its young generation and give the cache's writer the one it asks for", () => {
    const semiSpace = Number(semiSpaceFlag?.[1]);
    const { main, worker } = youngGenerations(true);
    expect(main).toBe(2 * semiSpace); // two semi-spaces
    expect(worker).toBeLessThanOrEqual(writerResourceLimits.maxYoungGenerationSizeMb);
  });

  it("are needed: without them the writer thread gets the main thread's young generation", () => {
    const semiSpace = Number(semiSpaceFlag?.[1]);
    expect(youngGenerations(false).worker).toBe(2 * semiSpace);
  });
});
