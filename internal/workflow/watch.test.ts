/** Reloads on a clock the test moves: after an editor's burst of writes, and by the periodic rescan. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.ts";
import { type ManualClock, manualClock } from "../clock/index.ts";
import type { Problem } from "../errors/index.ts";
import { loadSnapshot } from "./load.ts";
import { type WatchOptions, type WorkflowWatcher, watchWorkflows } from "./watch.ts";

const hour = 3_600_000;
const daily = '[[phase]]\ntask = "a"\nrule = "cron=@daily"\n';
const hourly = '[[phase]]\ntask = "a"\nrule = "cron=@hourly"\n';

let dir: string;
let watcher: WorkflowWatcher | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "taskmaster-watch-"));
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Watches `dir` (holding a.toml, daily) on a manual clock, recording reloads (with the clock's time) and refusals;
 * `refuse` is the service's own check of a set.
 */
async function start(
  options: Pick<WatchOptions, "rescanMs" | "debounceMs">,
  refuse: (changed: readonly string[]) => readonly Problem[] = () => [],
) {
  writeFileSync(join(dir, "a.toml"), daily);
  const clock = manualClock();
  const reloads: { changed: readonly string[]; at: number }[] = [];
  const refused: (readonly Problem[])[] = [];
  watcher = watchWorkflows({
    root: dir,
    initial: await loadSnapshot(dir),
    clock,
    ...options,
    onReload: async (_snapshot, changed) => {
      reloads.push({ changed, at: clock.now().getTime() });
      return refuse(changed);
    },
    onRejected: (problems) => {
      refused.push(problems);
    },
    onError: (error) => {
      throw error;
    },
  });
  return { clock, reloads, refused };
}

/** Waits until a timer is armed `ms` from now: the watcher has taken in what the test just did. */
function armed(clock: ManualClock, ms: number, message: string) {
  const due = clock.now().getTime() + ms;
  return waitFor(() => clock.due().includes(due), { message });
}

describe("watchWorkflows", () => {
  it("looks once more when ready, then reloads once, debounceMs after the last of a burst of writes", async () => {
    const { clock, reloads } = await start({ rescanMs: hour, debounceMs: 300 });
    const started = clock.now().getTime();
    // Written while the watcher may still be starting (then no event comes): the look once it is ready finds it.
    writeFileSync(join(dir, "a.toml"), hourly);
    await armed(clock, 300, "the watcher ready");
    await clock.advance(300);
    await waitFor(() => reloads.length === 1, { message: "the look once ready" });
    expect(reloads).toEqual([{ changed: ["a.toml"], at: started + 300 }]);

    const first = clock.now().getTime();
    writeFileSync(join(dir, "a.toml"), daily);
    await armed(clock, 300, "the edit seen");
    await clock.advance(200);
    writeFileSync(join(dir, "b.toml"), daily);
    await armed(clock, 300, "the new file seen");
    await clock.advance(299);
    expect(reloads).toHaveLength(1);
    await clock.advance(1);
    await waitFor(() => reloads.length === 2, { message: "the reload after the burst" });
    expect(reloads[1]).toEqual({ changed: ["a.toml", "b.toml"], at: first + 500 });
    expect(clock.due()).toEqual([started + hour]); // nothing else is waiting but the rescan
  });

  it("rescans every rescanMs, finding an edit whatever the file events", async () => {
    // File events would reload only after an hour here: what reloads is the rescan.
    const { clock, reloads } = await start({ rescanMs: 1_000, debounceMs: hour });
    const started = clock.now().getTime();
    writeFileSync(join(dir, "a.toml"), hourly);
    await clock.advance(999);
    expect(reloads).toEqual([]);
    await clock.advance(1);
    await waitFor(() => reloads.length === 1, { message: "the rescan's reload" });
    expect(reloads).toEqual([{ changed: ["a.toml"], at: started + 1_000 }]);
  });

  it("refuses a set with errors and keeps the last good one", async () => {
    const { clock, reloads, refused } = await start({ rescanMs: 1_000, debounceMs: hour });
    writeFileSync(join(dir, "a.toml"), '[[phase]]\ntask = "a"\nrule = "cron=not a schedule"\n');
    await clock.advance(1_000);
    await waitFor(() => refused.length === 1, { message: "the set refused" });
    writeFileSync(join(dir, "a.toml"), daily);
    // The last good set is the daily one: putting it back is no change.
    expect(await watcher?.reload()).toEqual({ changed: [], problems: [] });
    expect(reloads).toEqual([]);
  });

  it("keeps the last good set when the service refuses a new one, and says why", async () => {
    const clash: Problem = { severity: "error", workflow: "", phase: "", key: "task", message: "clash" };
    const { reloads } = await start({ rescanMs: hour, debounceMs: hour }, (changed) =>
      changed.includes("b.toml") ? [clash] : [],
    );
    writeFileSync(join(dir, "b.toml"), daily);
    expect(await watcher?.reload()).toEqual({ changed: [], problems: [clash] });
    // Still the set without b.toml: the same files again are a change, and refused again.
    expect(await watcher?.reload()).toEqual({ changed: [], problems: [clash] });
    rmSync(join(dir, "b.toml"));
    expect(await watcher?.reload()).toEqual({ changed: [], problems: [] });
    expect(reloads.map((r) => r.changed)).toEqual([["b.toml"], ["b.toml"]]);
  });
});
