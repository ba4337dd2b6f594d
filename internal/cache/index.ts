/**
 * The cache: the service's history (tasks, dones, files, alerts, rejected messages, phases) in SQLite, for the
 * dashboard and the API. A projection: scheduling never reads it, and a full disk or a corrupt file degrades it
 * instead of stopping the service.
 */

export { recentActions } from "./actions.ts";
export { measureCacheWrites } from "./bench.ts";
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
export { phaseRecords, projectEvents } from "./projection.ts";
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
  rejectedOn,
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
export { type Rebuilt, rebuildFromStreams } from "./rebuild.ts";
export { type RecapCount, type RecapRow, recapOn } from "./recap.ts";
export { CacheSchemaError, migrations, schemaVersion } from "./schema.ts";
export { type CacheStore, type CacheStoreOptions, createCacheStore } from "./store.ts";
export { dataTimeOf, doneRecord } from "./taskrecord.ts";
export {
  type CacheSink,
  startThreadedCache,
  type ThreadedCache,
  type ThreadedCacheOptions,
  writerResourceLimits,
} from "./thread.ts";
export { utc } from "./time.ts";
export {
  type ActionRecord,
  type ActionRow,
  type AlertRecord,
  type AlertRow,
  CacheMode,
  type CacheState,
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
