/**
 * The history: tasks, dones, files, alerts, rejected messages, actions and phases in SQLite, for the dashboard and
 * the API. A projection of the streams, built by the follower with the stream positions it covers, so any process
 * can build, lose and rebuild it; a full disk or a corrupt file degrades or rebuilds it, and scheduling never reads
 * it.
 */

export { recentActions } from "./actions.ts";
export { type CacheFileState, moveCacheAside, openDatabase, probeCacheFile } from "./db.ts";
export { CacheCorruptError } from "./failure.ts";
export type {
  FollowEvent,
  FollowedStreams,
  FollowOptions,
  HistoryFollower,
  HistoryMode,
  HistoryState,
  ProjectedBatch,
} from "./follow.ts";
export { startFollower } from "./follower.ts";
export type { BeforeOpen } from "./open.ts";
export {
  alertsOn,
  alertsSince,
  counts,
  type DayKind,
  daysWith,
  filesOn,
  firstDirection,
  type HourCounts,
  hourlyOn,
  hourResults,
  isTaskSort,
  phases,
  type ResolvedRow,
  rejectedOn,
  resolvedSince,
  resultsOn,
  SortDirection,
  type TableCounts,
  type TaskFilter,
  type TaskPage,
  type TaskSort,
  taskByKey,
  taskSorts,
  tasksById,
  tasksOn,
  unfinishedBetween,
} from "./queries.ts";
export { readsThrough } from "./reads.ts";
export { type RecapCount, type RecapRow, recapOn } from "./recap.ts";
export { CacheSchemaError, migrations, schemaVersion } from "./schema.ts";
export { dataTimeOf, doneRecord } from "./taskrecord.ts";
export { utc } from "./time.ts";
export {
  type ActionRecord,
  type ActionRow,
  type AlertRecord,
  type AlertRow,
  type DoneRecord,
  type FileRecord,
  type FileRow,
  FileStatus,
  type PhaseRecord,
  PhaseStatus,
  type RecycleCounts,
  type RejectedRecord,
  type RejectedRow,
  TaskKind,
  type TaskRecord,
  type TaskRow,
  type TimeText,
} from "./types.ts";
export { maxRejectedData } from "./writes.ts";
