/**
 * What a failed webhook post means: whether to try again, how long Slack asked us to wait, and a reason safe to
 * log. The webhook URL is a secret (anyone holding it can post), so it is scrubbed from every reason.
 */

export interface PostFailure {
  /** Safe to log: never contains the webhook URL. */
  reason: string;
  retryable: boolean;
  /**
   * Slack refused what the message says (400: `invalid_blocks`, `invalid_payload`, `no_text` ...; 413: too large):
   * the same post will not pass, a smaller, plainer one may.
   */
  refused: boolean;
  /** Slack's `Retry-After` on a 429, in ms; null when it gave none. */
  retryAfterMs: number | null;
}

/** Slack's Retry-After is in seconds; a silly value must not park the queue for hours. */
const maxRetryAfterMs = 15 * 60_000;

export function parseRetryAfter(value: string | null): number | null {
  if (value === null || value.trim() === "") return null;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) return null;
  return Math.min(seconds * 1000, maxRetryAfterMs);
}

/** Removes the URL, and its path on its own (some errors print only that), from text headed for logs. */
export function scrubber(url: string): (text: string) => string {
  const secrets = [url];
  try {
    const path = new URL(url).pathname;
    if (path.length > 1) secrets.push(path);
  } catch {
    // Not a URL: scrubbing the raw string is all there is to do.
  }
  return (text) => secrets.reduce((s, secret) => (secret ? s.replaceAll(secret, "<webhook>") : s), text);
}

const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/** The innermost useful words of a network error (undici hides `ECONNREFUSED` two causes down). */
function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 4; e = field(e, "cause"), depth++) {
    const message = field(e, "message");
    const code = field(e, "code");
    if (typeof message === "string" && message && !parts.some((p) => p.includes(message)))
      parts.push(message);
    if (typeof code === "string" && !code.startsWith("slack_") && !parts.includes(code)) parts.push(code);
  }
  return parts.join(": ") || String(error);
}

/**
 * Reads the errors @slack/webhook throws: `slack_webhook_http_error` carries `statusCode` and `body` (not the
 * headers, so the sender's fetch wrapper captures Retry-After); `slack_webhook_request_error` is a network error
 * or timeout. 5xx, 408, 429 and network errors are worth retrying; other 4xx are not: 400 and 413 refuse the
 * content, 403, 404 and 410 the hook or its channel.
 */
export function classify(
  error: unknown,
  retryAfterMs: number | null,
  scrub: (s: string) => string,
): PostFailure {
  if (field(error, "code") === "slack_webhook_http_error") {
    const status = Number(field(error, "statusCode"));
    const body = String(field(error, "body") ?? "").slice(0, 200);
    const retryable = status >= 500 || status === 408 || status === 429;
    const reason = scrub(`slack answered HTTP ${status}${body ? `: ${body}` : ""}`);
    const refused = status === 400 || status === 413;
    return { reason, retryable, refused, retryAfterMs: status === 429 ? retryAfterMs : null };
  }
  const reason = scrub(`slack post failed: ${causeChain(error)}`);
  return { reason, retryable: true, refused: false, retryAfterMs: null };
}
