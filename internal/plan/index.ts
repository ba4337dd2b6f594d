/** The planner: pure functions from a workflow snapshot and a trigger to the tasks that go out. */
export {
  type BackloadPlan,
  type BackloadRequest,
  type BackloadSlots,
  planBackload,
  prepareBackload,
} from "./backload.ts";
export { maxBatchTasks } from "./batch.ts";
export { isBatchPhase, phaseZone, planCron } from "./cron.ts";
export { aloneMeta, aloneValue, isReady, planDone } from "./done.ts";
export { type FileArrival, matchFile, planFile } from "./file.ts";
export { downstreamOf, type LaunchRequest, planLaunch } from "./launch.ts";
export {
  backloadMetaFiles,
  cronMetaFiles,
  doneMetaFiles,
  type FetchedMetaFiles,
  launchMetaFiles,
  withFetchedMetaFiles,
} from "./metafiles.ts";
export { parseBackloadRequest } from "./request.ts";
export { planRerun } from "./rerun.ts";
export { jitterShare, retryDelayMs, seededRandom } from "./retry.ts";
export {
  AlertKind,
  type Emission,
  EmissionKind,
  emptyPlan,
  type PhaseRef,
  type Plan,
  type PlanContext,
  type PlannedAlert,
} from "./types.ts";
