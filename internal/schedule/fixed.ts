/**
 * Slots of an expression for set hours, in a zone with daylight saving (pure): each matching wall fires once.
 * A wall repeated by a fall back fires the first time only; a wall skipped by a spring forward fires as read
 * with the offset before the change, which lands it in the first hour after the gap (02:30 New York time on
 * 2026-03-08 fires at 03:30 EDT, 07:30Z). Walls map to instants in order except there: a skipped wall fires
 * later than the walls just after the gap, so the walk looks one gap back, or ahead, near a change.
 */

import { instantOfWall, recentChange, wallOf } from "../tmpl/index.ts";
import type { SlotWalker, Walls } from "./walls.ts";

/** The longest gap or repeat handled exactly (real ones are 30 minutes to 2 hours). */
const maxChangeMs = 3 * 3_600_000;

export function fixedWalker(walls: Walls, zone: string): SlotWalker {
  return {
    after: (instant) => slotAfter(walls, zone, instant),
    atOrBefore: (instant) => slotAtOrBefore(walls, zone, instant),
  };
}

function slotAfter(walls: Walls, zone: string, instant: number): number {
  const wallNow = wallOf(instant, zone);
  let from = wallNow;
  // Less than one gap after a spring forward, skipped walls just before wallNow still fire after `instant`.
  const change = recentChange(instant, zone, maxChangeMs);
  if (change && change.after > change.before && instant < change.at + change.after - change.before) {
    from = instant + change.before;
  }
  let wall = walls.after(from);
  for (;;) {
    const slot = instantOfWall(wall, zone);
    if (slot.kind === "skipped" && slot.at > instant) {
      // A wall just past the gap can fire before this skipped one when the gap is not a whole number of the
      // expression's steps (Lord Howe's 30-minute gap).
      const real = instantOfWall(walls.after(Math.max(slot.endWall - 1, wallNow)), zone).at;
      return Math.min(slot.at, real);
    }
    if (slot.kind !== "skipped" && slot.at > instant) return slot.at;
    // Walls up to wallNow fired by `instant`; so did the rest of a repeated stretch whose second pass
    // `instant` is in.
    wall = walls.after(Math.max(wall, slot.kind === "repeated" ? slot.endWall - 1 : wallNow));
  }
}

function slotAtOrBefore(walls: Walls, zone: string, instant: number): number | null {
  let from = wallOf(instant, zone);
  // In the second pass of a fall back, the walls of the repeated stretch after wallOf(instant) fired in the
  // first.
  const change = recentChange(instant, zone, maxChangeMs);
  if (change && change.before > change.after && instant < change.at + change.before - change.after) {
    from = change.at + change.before - 1;
  }
  let wall = walls.atOrBefore(from);
  while (wall !== null) {
    const slot = instantOfWall(wall, zone);
    if (slot.at <= instant)
      return slot.kind === "skipped" ? slot.at : withSkipped(walls, zone, slot.at, instant);
    // A skipped wall fires at wall - before, so the skipped walls that fire by `instant` read at most
    // instant + before.
    wall = walls.atOrBefore(slot.kind === "skipped" ? instant + (wall - slot.at) : wall - 1);
  }
  return null;
}

/**
 * `found` is the last slot at or before `instant` among walls that happen. Less than one gap after a spring
 * forward, a skipped wall may fire later than it and still by `instant`.
 */
function withSkipped(walls: Walls, zone: string, found: number, instant: number): number {
  const change = recentChange(found, zone, maxChangeMs);
  if (!change || change.after <= change.before || found >= change.at + change.after - change.before)
    return found;
  const gapStart = change.at + change.before;
  const gapEnd = change.at + change.after;
  const skipped = walls.atOrBefore(Math.min(instant + change.before, gapEnd - 1));
  if (skipped === null || skipped < gapStart) return found;
  return Math.max(found, skipped - change.before);
}
