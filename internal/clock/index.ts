/** The clock: where "now" and timers come from (clock.ts), and a clock tests move by hand (manual.ts). */
export { type Clock, every, systemClock } from "./clock.ts";
export { type ManualClock, manualClock } from "./manual.ts";
