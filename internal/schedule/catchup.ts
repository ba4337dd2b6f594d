/**
 * Which missed cron slots to fire (pure). A slot is missed when it passed while nothing fired it: after
 * downtime, or when a timer woke late. The rule's `catchup` says which of them still fire, within
 * `catchup_window` of now: `latest` the newest, `all` every one up to `catchup_max` (the newest ones), `none`
 * none. Flowlord fired none and said nothing; here every slot not fired is counted and reported.
 */
import type { Rule } from "../rule/index.ts";
import { slotsBetween } from "./next.ts";
import { slotWalker } from "./walker.ts";

export interface MissedSlots {
  /** The slots to fire now, oldest first. */
  readonly fire: Date[];
  /** How many missed slots are not fired (approximate past 256; see `slotsBetween`). */
  readonly skipped: number;
  /** The oldest and newest of those, when there are any. */
  readonly firstSkipped?: Date;
  readonly lastSkipped?: Date;
}

const nothing: MissedSlots = { fire: [], skipped: 0 };

/**
 * The slots s with lastFired < s <= now, split into those to fire and those skipped. A phase never fired
 * (`lastFired` null) has missed nothing: it starts from now.
 */
export function missedSlots(rule: Rule, zone: string, lastFired: Date | null, now: Date): MissedSlots {
  const spec = rule.cron;
  if (spec === undefined || lastFired === null) return nothing;
  const since = lastFired.getTime();
  const walker = slotWalker(spec, zone);
  const newest = walker.atOrBefore(now.getTime());
  if (newest === null || newest <= since) return nothing;
  const windowStart = now.getTime() - rule.catchupWindowMs;
  const limit = fireLimit(rule);
  const fire: number[] = [];
  for (
    let slot: number | null = newest;
    slot !== null && slot > since && slot >= windowStart && fire.length < limit;
    slot = walker.atOrBefore(slot - 1)
  ) {
    fire.push(slot);
  }
  fire.reverse();
  const oldestFired = fire[0];
  const lastSkipped = oldestFired === undefined ? newest : walker.atOrBefore(oldestFired - 1);
  const fired = fire.map((slot) => new Date(slot));
  if (lastSkipped === null || lastSkipped <= since) return { fire: fired, skipped: 0 };
  const firstSkipped = walker.after(since);
  const { more } = slotsBetween(spec, zone, lastFired, new Date(lastSkipped), 0);
  return {
    fire: fired,
    skipped: Math.max(1, more),
    firstSkipped: new Date(firstSkipped),
    lastSkipped: new Date(lastSkipped),
  };
}

function fireLimit(rule: Rule): number {
  switch (rule.catchup) {
    case "latest":
      return 1;
    case "all":
      return Math.max(0, rule.catchupMax);
    case "none":
      return 0;
  }
}
