/**
 * Slots of an expression that runs every hour, in a zone with daylight saving (pure): an instant is a slot
 * when the zone's clock reads a matching wall then. A wall repeated by a fall back fires both times; a wall
 * skipped by a spring forward does not fire. Within one offset a slot is simply `wall - offset`; the walk
 * only has to notice when the offset changes before the slot it found.
 */

import { changeBetween, instantOfWall, offsetAt } from "../tmpl/index.ts";
import type { SlotWalker, Walls } from "./walls.ts";

export function clockWalker(walls: Walls, zone: string): SlotWalker {
  return {
    after(instant) {
      let from = instant;
      let offset = offsetAt(instant + 1, zone);
      for (;;) {
        const wall = walls.after(from + offset);
        const slot = wall - offset;
        if (offsetAt(slot, zone) === offset) {
          // Past two changes (a whole summer), `slot` may be a repeated wall's second time; the first counts.
          const read = instantOfWall(wall, zone);
          return read.kind === "repeated" && read.at > instant ? read.at : slot;
        }
        // The offset changed before `slot`, and no wall matched up to the change: go on from there.
        const change = changeBetween(from + 1, slot, zone);
        from = change.at - 1;
        offset = change.after;
      }
    },
    atOrBefore(instant) {
      let upTo = instant;
      let offset = offsetAt(instant, zone);
      for (;;) {
        const wall = walls.atOrBefore(upTo + offset);
        if (wall === null) return null;
        const slot = wall - offset;
        if (offsetAt(slot, zone) === offset) {
          const read = instantOfWall(wall, zone);
          return read.kind === "repeated" && read.again <= instant ? read.again : slot;
        }
        const change = changeBetween(slot, upTo, zone);
        upTo = change.at - 1;
        offset = change.before;
      }
    },
  };
}
