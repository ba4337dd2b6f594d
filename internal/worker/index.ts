/**
 * The worker kit: run TypeScript handlers, or any command, for the tasks of a topic, and report every run to the
 * done stream. Import from here, not from the files behind it.
 */
export { type ExecOptions, execHandler } from "./exec.ts";
export type { Handler, Outcome, Worker, WorkerEvent, WorkerOptions } from "./types.ts";
export { startWorker } from "./worker.ts";
