/**
 * One cron phase's loop: one timer, armed for the slot after the last one; when it rings, the slot fires
 * (or, when several slots passed, whichever the catch-up rule picks); a failed fire is retried with a capped
 * backoff before anything later is armed. A slot fires at most once: only slots after `lastSlot` are ever
 * fired, and a slot is stored only after `fire` resolved. Nothing here throws into a timer.
 */

import { doublingDelayMs } from "../backoff/index.ts";
import { phaseZone } from "../plan/index.ts";
import type { Phase } from "../workflow/index.ts";
import { type MissedSlots, missedSlots } from "./catchup.ts";
import { nextSlot } from "./next.ts";
import type { SchedulerDeps, ScheduleState } from "./types.ts";

/** How a phase is named across snapshots and in the slot store. */
export function phaseId(phase: Phase): string {
  return `${phase.workflow}|${phase.key}`;
}

/** What a change of re-arms a phase: its slots (cron, zone) and its catch-up rule. */
export function phaseSettings(phase: Phase): string {
  const { cron, catchup, catchupWindowMs, catchupMax } = phase.rule;
  return JSON.stringify([
    cron?.expression,
    cron?.everyMs,
    phaseZone(phase),
    catchup,
    catchupWindowMs,
    catchupMax,
  ]);
}

/** The wait before retry number `failures` (1s, 2s, 4s ... 60s). */
export function retryDelayMs(failures: number): number {
  return doublingDelayMs(failures, 1000, 60_000);
}

export interface PhaseRunner {
  readonly id: string;
  readonly settings: string;
  /** The newest version of the phase (its template may change without re-arming); `fire` gets this one. */
  phase: Phase;
  /** Fires what was missed since `lastSlot` (per the catch-up rule), then arms. Resolves after first attempts. */
  begin(lastSlot: Date): Promise<void>;
  /** Cancels the timer and waits for a fire in progress; the runner does nothing after. */
  retire(): Promise<void>;
  view(): ScheduleState;
}

type Wake = "catchUp" | "timer";

export function createPhaseRunner(phase: Phase, deps: SchedulerDeps): PhaseRunner {
  const id = phaseId(phase);
  let current = phase;
  let lastSlot: Date | null = null;
  let lastFired: Date | null = null;
  let next: Date | null = null;
  let failures = 0;
  let retired = false;
  let cancelTimer: (() => void) | undefined;
  let running: Promise<void> = Promise.resolve();

  const ref = () => ({ phaseId: id, workflow: current.workflow, phase: current.key });
  const emit: SchedulerDeps["onEvent"] = (event) => {
    try {
      deps.onEvent(event);
    } catch {
      // A listener's failure must not stop the schedule.
    }
  };

  function setTimer(at: Date, delayMs: number): void {
    cancelTimer?.();
    next = at;
    cancelTimer = deps.clock.setTimer(delayMs, () => {
      cancelTimer = undefined;
      running = run("timer");
    });
  }

  function armNext(): void {
    const spec = current.rule.cron;
    if (retired || spec === undefined || lastSlot === null) return;
    const slot = nextSlot(spec, phaseZone(current), lastSlot);
    setTimer(slot, Math.max(0, slot.getTime() - deps.clock.now().getTime()));
  }

  function retryLater(slot: Date, error: Error): void {
    if (retired) return;
    failures += 1;
    const retryInMs = retryDelayMs(failures);
    emit({ type: "cronFailed", ...ref(), slot, error, retryInMs });
    setTimer(slot, retryInMs);
  }

  /** The slots to fire now. A timer that rings for the one slot due fires it, whatever the catch-up rule. */
  function plan(wake: Wake, now: Date): MissedSlots {
    const spec = current.rule.cron;
    if (spec === undefined) return { fire: [], skipped: 0 };
    if (wake === "timer" && lastSlot !== null) {
      const zone = phaseZone(current);
      const due = nextSlot(spec, zone, lastSlot);
      if (due > now) return { fire: [], skipped: 0 };
      if (nextSlot(spec, zone, due) > now) return { fire: [due], skipped: 0 };
    }
    return missedSlots(current.rule, phaseZone(current), lastSlot, now);
  }

  async function store(slot: Date): Promise<void> {
    try {
      await deps.store.set(id, slot);
    } catch (error) {
      emit({ type: "cronStoreFailed", ...ref(), operation: "set", error: asError(error) });
    }
  }

  /** Fires one slot; resolves to the error when `fire` rejected. */
  async function attempt(slot: Date): Promise<Error | undefined> {
    next = slot;
    try {
      await deps.fire(current, slot);
    } catch (error) {
      return asError(error);
    }
    failures = 0;
    lastFired = slot;
    lastSlot = slot;
    await store(slot);
    emit({ type: "cronFired", ...ref(), slot });
    return undefined;
  }

  async function run(wake: Wake): Promise<void> {
    try {
      const due = plan(wake, deps.clock.now());
      if (due.skipped > 0 && due.firstSkipped && due.lastSkipped) {
        const { skipped, firstSkipped, lastSkipped } = due;
        const event = { type: "cronSkipped", ...ref(), skipped, firstSkipped, lastSkipped } as const;
        await deps.recordSkipped?.(event);
        emit(event);
        lastSlot = lastSkipped;
        if (due.fire.length === 0) await store(lastSkipped);
      }
      for (const slot of due.fire) {
        if (retired) return;
        const error = await attempt(slot);
        if (error !== undefined) return retryLater(slot, error);
      }
      armNext();
    } catch (error) {
      // Not `fire`: skipped slots not recorded, a bug, or a spec the cron library refused. Report it and try again
      // later.
      retryLater(next ?? deps.clock.now(), asError(error));
    }
  }

  return {
    id,
    settings: phaseSettings(phase),
    get phase() {
      return current;
    },
    set phase(value) {
      current = value;
    },
    async begin(from) {
      if (retired) return;
      lastSlot = from;
      running = run("catchUp");
      await running;
    },
    async retire() {
      retired = true;
      cancelTimer?.();
      cancelTimer = undefined;
      // A timer may have started a pass just before; wait until the latest one is over.
      let pass: Promise<void>;
      do {
        pass = running;
        await pass;
      } while (pass !== running);
      next = null;
    },
    view: () => ({
      id,
      workflow: current.workflow,
      phase: current.key,
      next,
      lastFired,
      lastSlot,
      failures,
    }),
  };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
