/**
 * A cron expression's matching walls, in wall-clock order (pure): cron-parser evaluating it in UTC, where there
 * is no daylight saving to get wrong. The zone rules in clock.ts and fixed.ts turn walls into slots.
 */
import { CronExpressionParser } from "cron-parser";

export interface SlotWalker {
  /** The first slot strictly after `instant` (ms). */
  after(instant: number): number;
  /** The last slot at or before `instant`, or null when there is none. */
  atOrBefore(instant: number): number | null;
}

/** Matching walls in wall-clock order: the expression evaluated in UTC. */
export interface Walls {
  after(wall: number): number;
  atOrBefore(wall: number): number | null;
  /** True when the hour field allows every hour. */
  readonly everyHour: boolean;
}

export function wallsOf(expression: string): Walls {
  const cron = CronExpressionParser.parse(expression, { tz: "UTC", currentDate: new Date(0) });
  return {
    everyHour: cron.fields.hour.values.length === 24,
    after(wall) {
      cron.reset(new Date(wall));
      return cron.next().getTime();
    },
    atOrBefore(wall) {
      // prev() is strictly before where it starts; from wall + 1ms it may return `wall` itself.
      cron.reset(new Date(wall + 1));
      try {
        return cron.prev().getTime();
      } catch {
        return null;
      }
    },
  };
}
