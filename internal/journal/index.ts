/** The journal: facts recorded on the events stream (alerts, files, cron slots, refusals, reloads). Pure. */
export {
  decodeEntry,
  encodeEntry,
  JournalDecodeError,
  journalMsgId,
  journalStream,
  journalSubject,
  journalSubjectPrefix,
  maxRejectedData,
} from "./codec.ts";
export { phaseEntries, snapshotChecksums, systemAlert, taskAlert, taskRef } from "./facts.ts";
export { TaskHeader } from "./headers.ts";
export type {
  AlertEntry,
  CronEntry,
  FileEntry,
  FileTaskRef,
  JournalEntry,
  JournalFact,
  JournalType,
  PhaseEntry,
  RejectedEntry,
  ReloadEntry,
  ReloadRejectedEntry,
  SkippedEntry,
  TaskRef,
} from "./types.ts";
export { journalTypes } from "./types.ts";
