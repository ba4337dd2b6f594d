/**
 * The Slack messages: the periodic digest of alerts (grouped by phase, with data-time ranges, what has resolved
 * since, and a link to the day's alert page) and the immediate message for a task that returned `alert`.
 * Pure: the caller picks the alerts and the time; sending is `slack.ts`'s job.
 */
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

/** What `IncomingWebhook.send` takes: `text` is the notification / fallback, `blocks` the rendered message. */
export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

export interface DigestInput {
  alerts: readonly AlertItem[];
  resolved: readonly Resolved[];
  prefix: string;
  dashboardUrl: string;
  now: Date;
}

/** Slack allows 50 blocks a message; this keeps a digest readable on a phone and well under that. */
export const maxGroups = 20;
/** Section text may hold 3000 characters; a message snippet only needs to say what went wrong. */
const snippetChars = 200;

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

/** Slack reads `&`, `<` and `>` as markup; task types, jobs and messages are data. */
export function escapeMrkdwn(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

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
  const lines = [`*${escapeMrkdwn(g.key)}*  ${g.count} × ${escapeMrkdwn(g.kinds.join(", "))}`];
  if (dates) lines.push(`data times: ${dates}`);
  if (g.lastMessage)
    lines.push(`> ${escapeMrkdwn(truncate(g.lastMessage.replaceAll("\n", " "), snippetChars))}`);
  return lines.join("\n");
}

function linkOf(dashboardUrl: string, day: Date): string | null {
  if (!dashboardUrl) return null;
  const date = isoDate(day);
  return `<${dashboardUrl.replace(/\/+$/, "")}/alerts?date=${date}|alerts of ${date}>`;
}

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
const header = (text: string) => ({
  type: "header",
  text: { type: "plain_text", text: truncate(text, 150) },
});
const context = (text: string) => ({ type: "context", elements: [{ type: "mrkdwn", text }] });
const withPrefix = (prefix: string, s: string) => (prefix ? `[${prefix}] ${s}` : s);

export function buildDigest(input: DigestInput): SlackMessage {
  const groups = groupBy(input.alerts);
  const shown = groups.slice(0, maxGroups);
  const summary = `${plural(input.alerts.length, "alert")} in ${plural(groups.length, "phase")}`;
  const title = withPrefix(input.prefix, `Taskmaster: ${summary}`);
  const blocks: unknown[] = [header(title)];
  const text: string[] = [title];
  for (const g of shown) {
    const line = groupLine(g);
    blocks.push(section(line));
    text.push(line);
  }
  if (groups.length > shown.length) {
    const more = `… and ${plural(groups.length - shown.length, "more phase")}`;
    blocks.push(section(more));
    text.push(more);
  }
  const resolved = groupBy(input.resolved);
  if (resolved.length > 0) {
    const lines = resolved.slice(0, maxGroups).map((g) => {
      const dates = printDates(g.times);
      return `• ${escapeMrkdwn(g.key)}${dates ? ` ${dates}` : ""}`;
    });
    if (resolved.length > maxGroups) lines.push(`… and ${plural(resolved.length - maxGroups, "more phase")}`);
    const body = `*Resolved since*\n${lines.join("\n")}`;
    blocks.push({ type: "divider" }, section(body));
    text.push(body);
  }
  const link = linkOf(input.dashboardUrl, input.now);
  if (link) {
    blocks.push(context(link));
    text.push(link);
  }
  return { text: text.join("\n"), blocks };
}

/** A task that returned `alert` goes out at once, on its own, with its message in full (within Slack's limit). */
export function buildImmediate(alert: AlertItem, prefix: string, dashboardUrl: string): SlackMessage {
  const key = keyOf(alert);
  const title = withPrefix(prefix, `Taskmaster alert: ${key}`);
  const facts = [
    `*${escapeMrkdwn(key)}*  ${escapeMrkdwn(alert.kind)}`,
    `task: \`${escapeMrkdwn(alert.taskId)}\``,
  ];
  if (alert.dataTime) facts.push(`data time: ${printDates([alert.dataTime])}`);
  const message = alert.message ? `\`\`\`${escapeMrkdwn(truncate(alert.message, 2800))}\`\`\`` : "";
  const blocks: unknown[] = [header(title), section(facts.join("\n"))];
  const text = [title, ...facts];
  if (message) {
    blocks.push(section(message));
    text.push(message);
  }
  const link = linkOf(dashboardUrl, alert.at);
  if (link) {
    blocks.push(context(link));
    text.push(link);
  }
  return { text: text.join("\n"), blocks };
}
