/** An in-memory `SlotStore`, for tests and for running without NATS. */
import type { SlotStore } from "./types.ts";

export interface MemorySlotStore extends SlotStore {
  /** What is stored now, by phase id. */
  readonly slots: ReadonlyMap<string, Date>;
}

export function memorySlotStore(initial: Iterable<readonly [string, Date]> = []): MemorySlotStore {
  const slots = new Map<string, Date>(initial);
  return {
    slots,
    get: async (phaseId) => slots.get(phaseId) ?? null,
    set: async (phaseId, slot) => {
      slots.set(phaseId, slot);
    },
  };
}
