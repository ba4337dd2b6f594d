/**
 * Cron scheduling: when each cron phase fires (pure slot arithmetic, with daylight saving pinned down), what
 * fires after downtime (the catch-up rule), and the timers that fire it (the scheduler).
 */
export { type MissedSlots, missedSlots } from "./catchup.ts";
export { nextSlot, previousSlot, type SlotRange, slotsBetween } from "./next.ts";
export { phaseId, retryDelayMs } from "./runner.ts";
export { createScheduler } from "./scheduler.ts";
export { type MemorySlotStore, memorySlotStore } from "./store.ts";
export type {
  CronFailed,
  CronFired,
  CronSkipped,
  CronStoreFailed,
  ScheduleEvent,
  Scheduler,
  SchedulerDeps,
  ScheduleState,
  SlotStore,
} from "./types.ts";
