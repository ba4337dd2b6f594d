/**
 * Test fixtures for the scheduler: phases and snapshots from rule strings, specs from cron text, and a
 * recorder for fires and events, and a scheduler on fake timers. Only tests import this file.
 */
import { vi } from "vitest";
import { systemClock } from "../clock/index.ts";
import type { CronSpec } from "../rule/index.ts";
import { parseCronSpec } from "../rule/index.ts";
import type { Phase, Snapshot } from "../workflow/index.ts";
import { buildSnapshot } from "../workflow/index.ts";
import { createScheduler } from "./scheduler.ts";
import { memorySlotStore } from "./store.ts";
import type { CronSkipped, ScheduleEvent } from "./types.ts";

/** A snapshot of one workflow file, `w.toml`, with one phase per entry: task name → rule string. */
export function snapshotOf(phases: Record<string, string>, workflow = "w.toml"): Snapshot {
  const text = Object.entries(phases)
    .map(([task, rule]) => `[[phase]]\ntask = "${task}"\nrule = "${rule}"\n`)
    .join("\n");
  const snapshot = buildSnapshot("/wf", [{ name: workflow, path: `/wf/${workflow}`, text }]);
  const errors = snapshot.problems.filter((problem) => problem.severity === "error");
  if (errors.length > 0) throw new Error(`bad test workflow: ${JSON.stringify(errors)}`);
  return snapshot;
}

/** The phase of a one-phase workflow with this rule. */
export function phaseWith(rule: string): Phase {
  const phase = snapshotOf({ t: rule }).phases[0];
  if (phase === undefined) throw new Error(`no phase for ${rule}`);
  return phase;
}

export function specOf(text: string): CronSpec {
  const result = parseCronSpec(text);
  if ("error" in result) throw new Error(`bad cron ${text}: ${result.error}`);
  return result.spec;
}

export const iso = (date: Date | null | undefined) => (date ? date.toISOString() : String(date));

/** Records every fire (as `key@ISO`) and every event; `failing` makes the next fires of a key reject. */
export function recorder() {
  const fired: string[] = [];
  const events: ScheduleEvent[] = [];
  const failures = new Map<string, number>();
  return {
    fired,
    events,
    /** The next `times` fires of `key` reject. */
    failNext(key: string, times: number) {
      failures.set(key, times);
    },
    fire: async (phase: Phase, slot: Date) => {
      const left = failures.get(phase.key) ?? 0;
      if (left > 0) {
        failures.set(phase.key, left - 1);
        throw new Error(`publish failed for ${phase.key}`);
      }
      fired.push(`${phase.key}@${slot.toISOString()}`);
    },
    onEvent: (event: ScheduleEvent) => {
      events.push(event);
    },
    types: () => events.map((event) => event.type),
  };
}

/** A promise to hold `fire` on until the test opens it. */
export function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open: () => open() };
}

export interface Options {
  /** What the slot store holds at the start: phase id → ISO slot. */
  stored?: Record<string, string>;
  /** Replaces the recorder's fire. */
  fire?: (phase: Phase, slot: Date) => Promise<void>;
  /** Records skipped slots (none by default). */
  recordSkipped?: (skipped: CronSkipped) => Promise<void>;
}

/** A scheduler on fake timers at `now`, over a memory store, recording fires and events. */
export function setup(now: string, options: Options = {}) {
  vi.useFakeTimers();
  vi.setSystemTime(new Date(now));
  const record = recorder();
  const stored = Object.entries(options.stored ?? {}).map(([id, slot]) => [id, new Date(slot)] as const);
  const store = memorySlotStore(stored);
  const fire = options.fire ?? record.fire;
  const scheduler = createScheduler({
    clock: systemClock,
    store,
    fire,
    onEvent: record.onEvent,
    ...(options.recordSkipped ? { recordSkipped: options.recordSkipped } : {}),
  });
  return { record, store, scheduler };
}

/** A `fire` that records the slot, then waits until `held` opens. */
export function heldFire(held: ReturnType<typeof gate>, fired: string[]) {
  return async (_phase: Phase, slot: Date) => {
    fired.push(iso(slot));
    await held.opened;
  };
}

export const storedSlot = (store: ReturnType<typeof memorySlotStore>, id = "w.toml|t") =>
  iso(store.slots.get(id));
