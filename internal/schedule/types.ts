/**
 * The scheduler's contract: what it needs (a clock, a slot store, a way to fire a phase), what it reports
 * (events for the root to log) and what it shows (per-phase state for the dashboard).
 */
import type { Clock } from "../clock/index.ts";
import type { Phase, Snapshot } from "../workflow/index.ts";

/**
 * Where each phase's last slot is kept across restarts: the newest slot fired or deliberately skipped, or the
 * time the phase was first scheduled. Keyed by `phaseId`.
 */
export interface SlotStore {
  get(phaseId: string): Promise<Date | null>;
  set(phaseId: string, slot: Date): Promise<void>;
}

interface PhaseRef {
  /** `phaseId(phase)`: `workflow|key`. */
  readonly phaseId: string;
  readonly workflow: string;
  /** The phase's key (`topic` or `topic:job`). */
  readonly phase: string;
}

/** A slot fired: `fire` resolved and the slot was stored. */
export interface CronFired extends PhaseRef {
  readonly type: "cronFired";
  readonly slot: Date;
}

/** Missed slots the catch-up rule did not fire. `skipped` is approximate past 256 (see `slotsBetween`). */
export interface CronSkipped extends PhaseRef {
  readonly type: "cronSkipped";
  readonly skipped: number;
  readonly firstSkipped: Date;
  readonly lastSkipped: Date;
}

/** `fire` rejected; the same slot is tried again in `retryInMs` (unless more slots pass by then). */
export interface CronFailed extends PhaseRef {
  readonly type: "cronFailed";
  readonly slot: Date;
  readonly error: Error;
  readonly retryInMs: number;
}

/**
 * The slot store failed. On `get` the phase starts from now (it does not catch up); on `set` the slot still
 * counts as done in this process, and the next successful `set` covers it.
 */
export interface CronStoreFailed extends PhaseRef {
  readonly type: "cronStoreFailed";
  readonly operation: "get" | "set";
  readonly error: Error;
}

export type ScheduleEvent = CronFired | CronSkipped | CronFailed | CronStoreFailed;

/** One cron phase as the dashboard shows it. */
export interface ScheduleState {
  readonly id: string;
  readonly workflow: string;
  readonly phase: string;
  /** The slot the phase waits for, or is firing or retrying; null once stopped. */
  readonly next: Date | null;
  /** The newest slot this process fired, or null. */
  readonly lastFired: Date | null;
  /** The newest slot fired or skipped (what the store holds), or when the phase was first scheduled. */
  readonly lastSlot: Date | null;
  /** Failed attempts of `next` so far (0 when it has not failed). */
  readonly failures: number;
}

export interface SchedulerDeps {
  readonly clock: Clock;
  readonly store: SlotStore;
  /** Emits the phase's tasks for `slot`; a rejection is retried with the same slot. */
  readonly fire: (phase: Phase, slot: Date) => Promise<void>;
  /**
   * Records slots the catch-up rule skipped, before they count as done (stored, or passed by a later fire); a
   * rejection is retried like a failed fire.
   */
  readonly recordSkipped?: (skipped: CronSkipped) => Promise<void>;
  /** Every event; a listener that throws is ignored. */
  readonly onEvent: (event: ScheduleEvent) => void;
}

export interface Scheduler {
  /**
   * Loads each cron phase's last slot, fires what it missed (per its catch-up rule), then arms its timer.
   * Resolves once every catch-up slot was tried once; failed ones are retried in the background.
   */
  start(snapshot: Snapshot): Promise<void>;
  /**
   * Replaces the cron phases: unchanged ones keep their timer and state (and fire the new version of the
   * phase), changed ones start over from now, removed ones stop once a fire in progress ends. Before `start`,
   * the same as `start`; after `stop`, nothing.
   */
  update(snapshot: Snapshot): Promise<void>;
  /** Cancels every timer and waits for fires in progress. Idempotent. */
  stop(): Promise<void>;
  state(): ScheduleState[];
}
