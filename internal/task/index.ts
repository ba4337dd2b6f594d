/** The task message: types, JSON, meta. */
export { maxTaskBytes, type ParseOptions, parseTask, taskJson } from "./json.ts";
export { encodeMeta, type Meta, parseMeta, withMeta } from "./meta.ts";
export { jobOf, nameOf, taskName, withoutOutcome } from "./task.ts";
export { Result, type Task } from "./types.ts";
