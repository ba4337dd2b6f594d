/**
 * The Slack messages: the periodic digest of alerts (grouped by phase, with data-time ranges, what has resolved
 * since, and a link to the day's alert page) and the immediate message for a task that returned `alert`.
 * Pure: the caller picks the alerts and the time; sending is `slack.ts`'s job.
 */
import {
  contextPiece,
  dividedPiece,
  escapeCut,
  type Piece,
  page,
  paginate,
  plainCut,
  type SlackMessage,
  sectionPiece,
  slackLimits,
} from "./blocks.ts";
import { printDates } from "./dates.ts";

export interface AlertItem {
  kind: string;
  taskType: string;
  job: string;
  taskId: string;
  /** The task's info, when the alert is about one task (it tells siblings apart). */
  info?: string;
  dataTime: Date | null;
  message: string;
  at: Date;
}

export interface Resolved {
  taskType: string;
  job: string;
  dataTime: Date | null;
  at: Date;
}

export interface DigestInput {
  alerts: readonly AlertItem[];
  resolved: readonly Resolved[];
  prefix: string;
  dashboardUrl: string;
  now: Date;
}

/** A message snippet only needs to say what went wrong; the rest is on the dashboard. */
const snippetChars = 200;
/** Bounds on the data in a phase's section, so that it stays well within a section's 3000 characters. */
const keyChars = 300;
const kindsChars = 300;
const datesChars = 1000;
const prefixChars = 40;
/** Resolved phases are listed, at most this many; the dashboard has the rest. */
const maxResolved = 20;

interface Group {
  key: string;
  count: number;
  kinds: string[];
  times: Date[];
  lastMessage: string;
}

const keyOf = (x: { taskType: string; job: string }) => (x.job ? `${x.taskType}:${x.job}` : x.taskType);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const isoDate = (t: Date) => t.toISOString().slice(0, 10);

/** Count desc, then key asc: flowlord's `BuildCompactSummary` order. */
function groupBy(items: readonly (Resolved & { kind?: string; message?: string })[]): Group[] {
  const groups = new Map<string, Group>();
  for (const item of items) {
    const key = keyOf(item);
    let g = groups.get(key);
    if (g === undefined) {
      g = { key, count: 0, kinds: [], times: [], lastMessage: "" };
      groups.set(key, g);
    }
    g.count++;
    if (item.kind !== undefined && !g.kinds.includes(item.kind)) g.kinds.push(item.kind);
    if (item.dataTime !== null) g.times.push(item.dataTime);
    if (item.message) g.lastMessage = item.message;
  }
  return [...groups.values()].sort(
    (a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

/** One group as mrkdwn: bold key, count and kinds, its data times, and the latest message. */
function groupLine(g: Group): string {
  const dates = printDates(g.times);
  const lines = [
    `*${escapeCut(g.key, keyChars)}*  ${g.count} × ${escapeCut(g.kinds.join(", "), kindsChars)}`,
  ];
  if (dates) lines.push(`data times: ${escapeCut(dates, datesChars)}`);
  if (g.lastMessage) lines.push(`> ${escapeCut(g.lastMessage.replaceAll("\n", " "), snippetChars)}`);
  return lines.join("\n");
}

/** The "Resolved since" part: one line per phase with its data times. */
function resolvedPiece(items: readonly Resolved[]): Piece | null {
  const groups = groupBy(items);
  if (groups.length === 0) return null;
  const lines = groups.slice(0, maxResolved).map((g) => {
    const dates = printDates(g.times);
    return `• ${escapeCut(g.key, keyChars)}${dates ? ` ${escapeCut(dates, datesChars)}` : ""}`;
  });
  if (groups.length > maxResolved) lines.push(`… and ${plural(groups.length - maxResolved, "more phase")}`);
  return dividedPiece(`*Resolved since*\n${lines.join("\n")}`);
}

/** The dashboard's alerts of that day, as small print; none without a dashboard. */
function linkPiece(dashboardUrl: string, day: Date): Piece | null {
  if (!dashboardUrl) return null;
  const date = isoDate(day);
  return contextPiece(`<${dashboardUrl.replace(/\/+$/, "")}/alerts?date=${date}|alerts of ${date}>`);
}

/** The prefix names the installation; cut, so that what the heading says still shows. */
const withPrefix = (prefix: string, s: string) => (prefix ? `[${plainCut(prefix, prefixChars)}] ${s}` : s);
const present = <T>(x: T | null): x is T => x !== null;

/**
 * The digest: a header, one section per phase (most alerts first), what resolved since, and the link. Every phase
 * is listed: when they do not fit one message, they go over several, each within Slack's limits.
 */
export function buildDigest(input: DigestInput): SlackMessage[] {
  const groups = groupBy(input.alerts);
  const summary = `${plural(input.alerts.length, "alert")} in ${plural(groups.length, "phase")}`;
  const pieces = [
    ...groups.map((g) => sectionPiece(groupLine(g))),
    resolvedPiece(input.resolved),
    linkPiece(input.dashboardUrl, input.now),
  ].filter(present);
  return paginate(withPrefix(input.prefix, `Taskmaster: ${summary}`), pieces);
}

/** A task that returned `alert` goes out at once, on its own, with as much of its message as a section holds. */
export function buildImmediate(alert: AlertItem, prefix: string, dashboardUrl: string): SlackMessage {
  const key = keyOf(alert);
  const facts = [
    `*${escapeCut(key, keyChars)}*  ${escapeCut(alert.kind, kindsChars)}`,
    `task: \`${escapeCut(alert.taskId, keyChars)}\``,
  ];
  if (alert.dataTime) facts.push(`data time: ${printDates([alert.dataTime])}`);
  const fence = "```";
  const message = alert.message
    ? sectionPiece(`${fence}${escapeCut(alert.message, slackLimits.sectionText - 2 * fence.length)}${fence}`)
    : null;
  const pieces = [sectionPiece(facts.join("\n")), message, linkPiece(dashboardUrl, alert.at)];
  return page(withPrefix(prefix, `Taskmaster alert: ${key}`), pieces.filter(present));
}

/** What the service says of itself when asked (flowlord's `/notify`): that it runs, and how it is. */
export interface RunningState {
  readonly version: string;
  readonly upSeconds: number;
  readonly nats: string;
  readonly workflows: number;
  readonly phases: number;
}

/** flowlord's "running" message, within Slack's limits like every other message. */
export function buildRunning(state: RunningState, prefix: string): SlackMessage {
  const facts = `NATS ${state.nats}, ${plural(state.workflows, "workflow")}, ${plural(state.phases, "phase")}`;
  const line = `:white_check_mark: taskmaster ${escapeCut(state.version, keyChars)} is running (up ${state.upSeconds} s): ${escapeCut(facts, keyChars)}`;
  return page(withPrefix(prefix, "Taskmaster is running"), [sectionPiece(line)]);
}
