/**
 * Alerts to people: the digest and immediate Slack messages, the digest back-off, and the non-blocking Slack
 * sender. Which alerts exist is `sources.ts`; the digests of the alerts the history recorded are `digests.ts`.
 */

export type { SlackMessage } from "./blocks.ts";
export { escapeMrkdwn } from "./blocks.ts";
export { printDates } from "./dates.ts";
export type { AlertItem, DigestInput, Resolved, RunningState } from "./digest.ts";
export { buildDigest, buildImmediate, buildRunning } from "./digest.ts";
export {
  type AlertService,
  type DigestCursor,
  type Digests,
  type DigestsOptions,
  type RecordedAlerts,
  startDigests,
} from "./digests.ts";
export type { DigestDecision, DigestSchedule, DigestScheduleOptions } from "./schedule.ts";
export { createDigestSchedule } from "./schedule.ts";
export type { SlackEvent, SlackSender, SlackSenderOptions, SlackStats } from "./slack.ts";
export { createSlackSender } from "./slack.ts";
export { AlertKinds, cronFailedMessage, incompleteAlert } from "./sources.ts";
