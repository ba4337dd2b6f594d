/**
 * A stand-in for a Slack incoming webhook on 127.0.0.1, for the real @slack/webhook client. It checks every post
 * against Slack's limits and answers as Slack does: 200 `ok`, or 400 with Slack's error string (`invalid_payload`,
 * `no_text`, `invalid_blocks` ...), so a message Slack would refuse is refused here too. Scripted replies (a 429, a
 * 500) are given first; `down` answers every post with a 500, as Slack does when it fails.
 *
 * The limits are Slack's own numbers, written here again rather than imported from the code under test, so a wrong
 * constant there cannot pass its own check: Block Kit's documented maxima (50 blocks; a section's text 3000
 * characters, its fields 10 of 2000; a header's 150; a context's 10 elements of 2000; a block_id 255), counted after
 * `&`, `<` and `>` are escaped as Slack escapes them; the cumulative limit Slack enforces on a message's blocks
 * (`msg_blocks_too_long`, not documented, reported from about 12 000 characters); and a `text` over 40 000
 * characters, which Slack truncates (the post is accepted and marked `truncated`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A reply given before any check: a status, Slack's plain-text body, and headers (a 429's `Retry-After`). */
export interface ScriptedReply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

export interface Received {
  /** The parsed body; null when it was not a JSON object. */
  readonly body: Record<string, unknown> | null;
  readonly status: number;
  /** What the sink answered: `ok` or Slack's error string. */
  readonly answer: string;
  /** Accepted, with a `text` Slack would have cut at 40 000 characters. */
  readonly truncated: boolean;
  /** Date.now() at arrival. */
  readonly at: number;
}

const limits = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 2000,
  blockId: 255,
  blocksText: 12_000,
  text: 40_000,
} as const;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A text object's length as Slack counts it, or null when it is not a valid one. Plain text is escaped by Slack;
 * in mrkdwn `<` and `>` are markup, and a bare `&` (not starting an escape) is escaped.
 */
function textLength(value: unknown, types: readonly string[] = ["plain_text", "mrkdwn"]): number | null {
  if (!isRecord(value) || typeof value.type !== "string" || !types.includes(value.type)) return null;
  const text = value.text;
  if (typeof text !== "string" || text.length === 0) return null;
  if (value.type === "plain_text")
    return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").length;
  const bare = text.match(/&(?!amp;|lt;|gt;)/g)?.length ?? 0;
  return text.length + 4 * bare;
}

const within = (length: number | null, max: number): length is number => length !== null && length <= max;
const sum = (lengths: readonly (number | null)[]) =>
  lengths.reduce<number>((total, n) => total + (n ?? 0), 0);

function sectionChars(block: Record<string, unknown>): number | null {
  const text = block.text === undefined ? 0 : textLength(block.text);
  const fields = block.fields ?? [];
  if (!Array.isArray(fields) || fields.length > limits.sectionFields) return null;
  const fieldChars = fields.map((f) => textLength(f));
  if (!fieldChars.every((n) => within(n, limits.fieldText))) return null;
  if (!within(text, limits.sectionText) || (text === 0 && fields.length === 0)) return null;
  return text + sum(fieldChars);
}

function contextChars(block: Record<string, unknown>): number | null {
  const elements = block.elements;
  if (!Array.isArray(elements) || elements.length === 0 || elements.length > limits.contextElements)
    return null;
  const chars = elements.map((e) => textLength(e));
  return chars.every((n) => within(n, limits.contextText)) ? sum(chars) : null;
}

/** The characters a valid block holds as Slack counts them, or null when Slack would refuse it. */
function blockChars(block: unknown): number | null {
  if (!isRecord(block)) return null;
  const id = block.block_id;
  if (id !== undefined && !(typeof id === "string" && id.length <= limits.blockId)) return null;
  switch (block.type) {
    case "divider":
      return 0;
    case "header": {
      const n = textLength(block.text, ["plain_text"]);
      return within(n, limits.headerText) ? n : null;
    }
    case "section":
      return sectionChars(block);
    case "context":
      return contextChars(block);
    default:
      // Only the kinds taskmaster sends are known here: a new kind gets its limits here before it is used.
      return null;
  }
}

/** Slack's error string for a webhook post with this body, or null when Slack would post it. */
export function slackRefusal(raw: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return "invalid_payload";
  }
  if (!isRecord(body)) return "invalid_payload";
  const { text, blocks } = body;
  if (text !== undefined && typeof text !== "string") return "invalid_payload";
  if (blocks === undefined || (Array.isArray(blocks) && blocks.length === 0)) return text ? null : "no_text";
  if (!Array.isArray(blocks)) return "invalid_blocks_format";
  if (blocks.length > limits.blocks) return "invalid_blocks";
  const chars = blocks.map(blockChars);
  if (chars.some((n) => n === null)) return "invalid_blocks";
  return sum(chars) > limits.blocksText ? "msg_blocks_too_long" : null;
}

/** What a person sees of a post Slack accepted: the texts of its blocks, or its `text` when it has none. */
export function shownText(body: Record<string, unknown>): string {
  const texts: string[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) collect(v);
    else if (isRecord(value))
      for (const [key, v] of Object.entries(value)) {
        if (key === "text" && typeof v === "string") texts.push(v);
        else collect(v);
      }
  };
  const blocks = body.blocks;
  if (Array.isArray(blocks) && blocks.length > 0) collect(blocks);
  else if (typeof body.text === "string") texts.push(body.text);
  return texts.join("\n");
}

function send(res: ServerResponse, { status, body, headers = {} }: ScriptedReply): void {
  res.writeHead(status, { "content-type": "text/plain", ...headers });
  res.end(body);
}

export class SlackSink {
  readonly received: Received[] = [];
  /** One reply each for the next posts, before any check. */
  readonly script: ScriptedReply[] = [];
  /** Slack is down: every post is answered 500. */
  down = false;
  port = 0;
  private server: Server | null = null;

  /** The bodies Slack would have posted, in order. */
  get accepted(): Record<string, unknown>[] {
    return this.received.flatMap((r) => (r.status === 200 && r.body !== null ? [r.body] : []));
  }

  /** The error strings of the posts refused for their content. */
  get refusals(): string[] {
    return this.received.flatMap((r) => (r.status === 400 ? [r.answer] : []));
  }

  /** Forgets what it received, its script and `down`. */
  reset(): void {
    this.received.length = 0;
    this.script.length = 0;
    this.down = false;
  }

  /** Listens on `port` (0: any free one; a stopped sink comes back on its old port). */
  async start(port = 0): Promise<void> {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => this.answer(Buffer.concat(chunks).toString("utf8"), res));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/services/T0000/B0000/SECRETxyz123`;
  }

  private answer(raw: string, res: ServerResponse): void {
    let body: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(raw);
      body = isRecord(parsed) ? parsed : null;
    } catch {
      body = null;
    }
    const reply = this.script.shift() ?? this.check(raw);
    const text = body?.text;
    const truncated = reply.status === 200 && typeof text === "string" && text.length > limits.text;
    this.received.push({ body, status: reply.status, answer: reply.body, truncated, at: Date.now() });
    send(res, reply);
  }

  private check(raw: string): ScriptedReply {
    if (this.down) return { status: 500, body: "rollup_error" };
    const refusal = slackRefusal(raw);
    return refusal === null ? { status: 200, body: "ok" } : { status: 400, body: refusal };
  }
}
