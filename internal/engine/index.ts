/** The runtime: triggers → planner → outbox, with typed events. */
export {
  createEngine,
  type Engine,
  type EngineDeps,
  type Held,
  type MetaFileSource,
  type WorkKind,
} from "./engine.ts";
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
export {
  isRefusedForGood,
  MessageTooLargeError,
  type Outbox,
  type Sent,
  type Subjects,
  sendAll,
  subjectOf,
} from "./outbox.ts";
export { type HeldRetry, holdRetry, type RetryRecord, releaseRetry, retryRecord } from "./retry.ts";
export { type StuckWatch, type StuckWatchOptions, watchStuck } from "./stuck.ts";
