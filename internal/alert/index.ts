/**
 * Alerts to people: the digest and immediate Slack messages, the digest back-off, and the non-blocking Slack
 * sender. Which alerts exist and when to check them is the service's business (`service.ts`, `sources.ts`).
 */

export type { SlackMessage } from "./blocks.ts";
export { escapeMrkdwn } from "./blocks.ts";
export { printDates } from "./dates.ts";
export type { AlertItem, DigestInput, Resolved, RunningState } from "./digest.ts";
export { buildDigest, buildImmediate, buildRunning } from "./digest.ts";
export { type Digests, type DigestsOptions, type RecordedAlerts, startDigests } from "./digests.ts";
export type { DigestDecision, DigestSchedule, DigestScheduleOptions } from "./schedule.ts";
export { createDigestSchedule } from "./schedule.ts";
export type { AlertService, AlertServiceOptions, AlertStore, DigestCursor } from "./service.ts";
export { cacheAlertStore, startAlerts } from "./service.ts";
export type { SlackEvent, SlackSender, SlackSenderOptions, SlackStats } from "./slack.ts";
export { createSlackSender } from "./slack.ts";
export {
  AlertKinds,
  alertOf,
  cronFailedMessage,
  incompleteAlert,
  taskAlertItem,
} from "./sources.ts";
