/**
 * Templates and task times: the public face of `internal/tmpl`.
 *
 * Everything here is pure: no I/O, no environment, no clock. The host name and the uuid source come in through
 * `TemplateEnv`; times are wall clocks (Dates whose UTC fields are the fields to print, `null` for the zero time).
 * Helpers that only exist for sibling files (`wallFromFields`, the RFC 3339 pattern pieces) stay unexported.
 */

export { fillMeta, metaKeys } from "./meta.ts";
export { podName, render, type TemplateEnv } from "./render.ts";
export { infoTime, pathTime, taskTime, uriPath } from "./tasktime.ts";
export { formatHour, formatRfc3339, parseDay, parseHour, parseRfc3339, parseTimeInput } from "./timetext.ts";
export { fromWall, toWall } from "./wallclock.ts";
export {
  changeBetween,
  instantOfWall,
  type OffsetChange,
  offsetAt,
  recentChange,
  type WallInstant,
  wallOf,
} from "./zone.ts";
