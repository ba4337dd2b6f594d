/**
 * Slack messages within Slack's limits: Block Kit's documented maxima (a section's text 3000 characters, a header's
 * 150, a context element's 2000, 50 blocks a message), counted as Slack counts them, after `&`, `<` and `>` become
 * `&amp;`, `&lt;` and `&gt;`. Data is escaped and cut here, at a whole character and never inside an escape, a
 * message too big for one post is split into pages, and `plainVersion` is the text-only message the sender falls
 * back to when Slack refuses one anyway. Pure.
 */

/** What `IncomingWebhook.send` takes: `text` is the notification / fallback, `blocks` the rendered message. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks?: readonly unknown[];
}

export const slackLimits = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextText: 2000,
} as const;

/**
 * Slack refuses a message whose blocks hold about 12 000 characters in all (`msg_blocks_too_long`: not documented,
 * reported between 11 000 and 13 000), so a page of blocks stops well short of that.
 */
export const pageChars = 10_000;

/**
 * A message's `text`: Slack truncates at 40 000 characters and has long advised 4 000 (longer text may be split into
 * several messages), so the notification text and the plain fallback keep to 4 000.
 */
export const textChars = 4_000;

const entities: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** Slack reads `&`, `<` and `>` as markup; task types, jobs and messages are data. */
export function escapeMrkdwn(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * The longest start of `raw` whose width, `&`, `<`, `>` counted escaped, fits `max` with a trailing `…`; whole code
 * points only, so a surrogate pair is never split. `escaped` says whether the start is returned escaped.
 */
function cutStart(raw: string, max: number, escaped: boolean): string {
  let out = "";
  let width = 0;
  for (const ch of raw) {
    const shown = entities[ch] ?? ch;
    if (width + shown.length > max - 1) break;
    out += escaped ? shown : ch;
    width += shown.length;
  }
  return `${out}…`;
}

/** `raw` escaped for mrkdwn, cut with `…` to at most `max` characters after escaping. */
export function escapeCut(raw: string, max: number): string {
  const escaped = escapeMrkdwn(raw);
  return escaped.length <= max ? escaped : cutStart(raw, max, true);
}

/** `raw` as plain text (a header), cut so that even counted escaped, as Slack counts, it is within `max`. */
export function plainCut(raw: string, max: number): string {
  return escapeMrkdwn(raw).length <= max ? raw : cutStart(raw, max, false);
}

/** Escaped mrkdwn cut with `…` to at most `max` characters, never inside an escape or a surrogate pair. */
export function cutMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const amp = text.lastIndexOf("&", end - 1);
  // An escape is at most five characters (`&amp;`): one that starts this close to the end may be cut through.
  if (amp >= 0 && amp > end - 5) {
    const semi = text.indexOf(";", amp);
    if (semi === -1 || semi >= end) end = amp;
  }
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Some blocks of a message, what they say in its `text`, and their characters as Slack counts them. */
export interface Piece {
  readonly blocks: readonly unknown[];
  readonly text: string;
  readonly chars: number;
}

export function sectionPiece(mrkdwn: string): Piece {
  const text = cutMrkdwn(mrkdwn, slackLimits.sectionText);
  return { blocks: [{ type: "section", text: { type: "mrkdwn", text } }], text, chars: text.length };
}

/** A divider, then the section: a part of the message set apart from what comes before. */
export function dividedPiece(mrkdwn: string): Piece {
  const section = sectionPiece(mrkdwn);
  return { ...section, blocks: [{ type: "divider" }, ...section.blocks] };
}

/** Small print (a link); null when it is too long to show, since cutting a link breaks it. */
export function contextPiece(mrkdwn: string): Piece | null {
  if (mrkdwn.length > slackLimits.contextText) return null;
  const element = { type: "mrkdwn", text: mrkdwn };
  return { blocks: [{ type: "context", elements: [element] }], text: mrkdwn, chars: mrkdwn.length };
}

/** One message: a header with `title` (plain text), then the pieces. */
export function page(title: string, pieces: readonly Piece[]): SlackMessage {
  const heading = plainCut(title, slackLimits.headerText);
  const blocks = [
    { type: "header", text: { type: "plain_text", text: heading } },
    ...pieces.flatMap((p) => p.blocks),
  ];
  const text = cutMrkdwn([escapeMrkdwn(heading), ...pieces.map((p) => p.text)].join("\n"), textChars);
  return { text, blocks };
}

/**
 * The pieces over as many messages as Slack's limits need, in order, each with the header; when there are several,
 * each header says which of them it is, `(2/3)`.
 */
export function paginate(title: string, pieces: readonly Piece[]): SlackMessage[] {
  const pages: Piece[][] = [];
  let current: Piece[] = [];
  let blocks = 1;
  let chars = slackLimits.headerText;
  for (const piece of pieces) {
    const full = blocks + piece.blocks.length > slackLimits.blocks || chars + piece.chars > pageChars;
    if (full && current.length > 0) {
      pages.push(current);
      current = [];
      blocks = 1;
      chars = slackLimits.headerText;
    }
    current.push(piece);
    blocks += piece.blocks.length;
    chars += piece.chars;
  }
  pages.push(current);
  if (pages.length === 1) return [page(title, current)];
  return pages.map((p, i) => {
    const count = ` (${i + 1}/${pages.length})`;
    return page(`${plainCut(title, slackLimits.headerText - count.length)}${count}`, p);
  });
}

const plainNote = "\n(sent as plain text: Slack refused the formatted message)";
const cutNote =
  "\n(cut, and sent as plain text: Slack refused the full message; the rest is on the dashboard)";

/**
 * What is sent when Slack refuses a message's content: its text alone, cut to `textChars`, saying so. Null when the
 * message is already plain text within that size: there is nothing plainer to send.
 */
export function plainVersion(message: SlackMessage): SlackMessage | null {
  const hasBlocks = (message.blocks?.length ?? 0) > 0;
  if (message.text.length + plainNote.length <= textChars)
    return hasBlocks ? { text: `${message.text}${plainNote}` } : null;
  return { text: `${cutMrkdwn(message.text, textChars - cutNote.length)}${cutNote}` };
}
