/** The runtime: triggers → planner → outbox, with typed events. */
export { createEngine, type Engine, type EngineDeps, type MetaFileFetch } from "./engine.ts";
export {
  type ActionEntry,
  asError,
  type EngineEvent,
  EngineEvents,
  type EngineEventType,
  type EventOf,
  type FileStatus,
  type FileTask,
} from "./events.ts";
export { type Outbox, type Sent, type Subjects, sendAll, subjectOf } from "./outbox.ts";
export { holdRetry, type RetryRecord, releaseRetry } from "./retry.ts";
