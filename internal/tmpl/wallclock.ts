/**
 * The wall-clock time model: converting between an instant and what a clock in an IANA zone shows.
 *
 * A wall clock is a Date whose UTC fields ARE the fields to print; it is not an instant. Templates, the `cron` meta
 * key and task times all work in wall clocks, so the rest of the module never asks the host for its zone (flowlord
 * rendered in the process's local zone, so `TZ` changed its output: §11 item 13). Only this file knows zones, and it
 * learns them (through zone.ts) from `Intl`, which ships the IANA database with Node.
 */
import { instantOfWall, wallOf } from "./zone.ts";

function isUtc(tz: string): boolean {
  return tz === "UTC" || tz === "Etc/UTC";
}

/**
 * The wall clock of `instant` in IANA zone `tz`. `toWall(x, "UTC")` is the same time.
 * An unknown zone throws a RangeError (from `Intl`): zones are checked when config and workflows load.
 */
export function toWall(instant: Date, tz: string): Date {
  if (isUtc(tz) || Number.isNaN(instant.getTime())) return new Date(instant.getTime());
  return new Date(wallOf(instant.getTime(), tz));
}

/**
 * The instant whose wall clock in `tz` is `wall`.
 *
 * Around a transition a wall time can have two instants or none. We resolve both with the offset in force
 * *before* the transition, as java.time and Temporal's "compatible" mode do:
 * - ambiguous (fall-back, 2026-11-01 01:30 in New York): the earlier instant, 05:30Z (EDT), not 06:30Z (EST);
 * - in the gap (spring-forward, 2026-03-08 02:30 in New York): 02:30 at the old offset, 07:30Z, which a clock
 *   shows as 03:30 EDT; the time moves forward by the length of the gap, so a job is late, never early or lost.
 */
export function fromWall(wall: Date, tz: string): Date {
  const w = wall.getTime();
  if (isUtc(tz) || Number.isNaN(w)) return new Date(w);
  return new Date(instantOfWall(w, tz).at);
}
