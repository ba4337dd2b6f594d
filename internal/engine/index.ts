/** The runtime: triggers → planner → outbox, with typed events. */
export { type ActionRecord, auditMessage, auditStream, auditSubject, recordAction } from "./audit.ts";
export {
  type BackloadOutcome,
  type BackloadPage,
  type BackloadRunnerDeps,
  backloadRunner,
} from "./backload.ts";
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
  type Journal,
  notStoredMessage,
  publishAlertAttempt,
  publishFailedKind,
  publishingJournal,
  recordAlerts,
  recordNotStored,
  rejectMessage,
} from "./journal.ts";
export {
  isRefusedForGood,
  MessageTooLargeError,
  type Outbox,
  type Sent,
  type Subjects,
  sendAll,
  subjectOf,
  taskHeaders,
} from "./outbox.ts";
export { recordReload, recordReloadRejected } from "./reloads.ts";
export { type HeldRetry, holdRetry, type RetryRecord, releaseRetry, retryRecord } from "./retry.ts";
export {
  engineStuckKind,
  type StuckWatch,
  type StuckWatchOptions,
  stuckMessage,
  watchStuck,
} from "./stuck.ts";
