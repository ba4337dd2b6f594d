/**
 * The cron scheduler: one runner per cron phase of the current snapshot. It owns which phases run and where
 * each starts from: the slot store's last slot (so a restart catches up what it missed), or now for a phase
 * never seen before and for one whose cron, zone or catch-up rule changed (an edit does not backfill).
 * Starts and updates run one at a time; `stop` cancels every timer and waits for fires in progress.
 */
import { cronPhases, type Phase, type Snapshot } from "../workflow/index.ts";
import { createPhaseRunner, type PhaseRunner, phaseId, phaseSettings } from "./runner.ts";
import type { Scheduler, SchedulerDeps, ScheduleState } from "./types.ts";

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const runners = new Map<string, PhaseRunner>();
  let status: "idle" | "running" | "stopped" = "idle";
  let queue: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;

  function serially(task: () => Promise<void>): Promise<void> {
    const result = queue.then(task);
    queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  function emitStoreFailed(phase: Phase, error: unknown): void {
    try {
      deps.onEvent({
        type: "cronStoreFailed",
        phaseId: phaseId(phase),
        workflow: phase.workflow,
        phase: phase.key,
        operation: "get",
        error: error instanceof Error ? error : new Error(String(error)),
      });
    } catch {
      // A listener's failure must not stop the schedule.
    }
  }

  /** Where a phase starts: its stored last slot, or now (stored, so that a restart can catch up from it). */
  async function startingSlot(phase: Phase, changed: boolean): Promise<Date> {
    if (!changed) {
      try {
        const stored = await deps.store.get(phaseId(phase));
        if (stored !== null) return stored;
      } catch (error) {
        emitStoreFailed(phase, error);
        return deps.clock.now();
      }
    }
    const now = deps.clock.now();
    try {
      await deps.store.set(phaseId(phase), now);
    } catch {
      // Not fatal: the phase runs from now; its first fire stores a slot.
    }
    return now;
  }

  async function begin(phase: Phase, changed: boolean): Promise<void> {
    if (status === "stopped") return;
    const runner = createPhaseRunner(phase, deps);
    runners.set(runner.id, runner);
    const from = await startingSlot(phase, changed);
    await runner.begin(from);
  }

  async function apply(snapshot: Snapshot): Promise<void> {
    if (status === "stopped") return;
    status = "running";
    const wanted = new Map(cronPhases(snapshot).map((phase) => [phaseId(phase), phase]));
    const leaving: PhaseRunner[] = [];
    for (const [id, runner] of runners) {
      const phase = wanted.get(id);
      if (phase !== undefined && phaseSettings(phase) === runner.settings) {
        runner.phase = phase;
        wanted.delete(id);
      } else {
        runners.delete(id);
        leaving.push(runner);
      }
    }
    // A changed phase's fire in progress finishes (and stores its slot) before the new version starts.
    await Promise.all(leaving.map((runner) => runner.retire()));
    const changed = new Set(leaving.map((runner) => runner.id));
    await Promise.all([...wanted].map(([id, phase]) => begin(phase, changed.has(id))));
  }

  async function retireAll(): Promise<void> {
    const all = [...runners.values()];
    await Promise.all(all.map((runner) => runner.retire()));
    for (const runner of all) if (runners.get(runner.id) === runner) runners.delete(runner.id);
  }

  return {
    start: (snapshot) => serially(() => apply(snapshot)),
    update: (snapshot) => serially(() => apply(snapshot)),
    stop() {
      if (stopping === undefined) {
        status = "stopped";
        // Retire what runs now (so a start in progress is not waited on for its catch-up), then whatever it
        // created meanwhile.
        stopping = retireAll()
          .then(() => queue)
          .then(retireAll);
      }
      return stopping;
    },
    state(): ScheduleState[] {
      return [...runners.values()]
        .map((runner) => runner.view())
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
  };
}
