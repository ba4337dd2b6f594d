/**
 * Which publish failures are for good. A publish is sent again while its failure may pass (no ack in time, no
 * stream answered, a reconnect, a stream that is full for now); one that can never succeed is refused at once, so
 * the message that caused it can be terminated and reported instead of holding its place forever.
 */

/** The server will never take this message: too large, a subject the account may not publish to, a sealed stream. */
export class PublishRefusedError extends Error {
  override readonly name = "PublishRefusedError";
  readonly subject: string;
  constructor(subject: string, reason: string, options?: { cause?: unknown }) {
    super(`publish to ${subject} refused for good: ${reason}`, options);
    this.subject = subject;
  }
}

/**
 * JetStream errors a publish can get with a 4xx status that still pass by themselves: the account's storage frees
 * up as messages age out (10002), a stream move (10124) or a cluster membership change (10202) ends.
 */
const passingClientErrors: ReadonlySet<number> = new Set([10002, 10124, 10202]);

/**
 * Whether a stream's error reply to a publish (`{"error": {"code", "err_code"}}`) is for good. Permanent: the 4xx
 * answers about the message itself — over the stream's max_msg_size (10054) or header limit (10097), a sealed
 * stream (10109), an expectation that does not hold (10060, 10070, 10071, 10164), a per-message TTL the stream
 * does not take (10165, 10166), and any other 400, 404 or 412. Passing: 5xx (storage that failed or is full for now,
 * 10077; a stream offline, 10118; no quorum), 409 (the same message id being stored, 10158), 429 (too many
 * requests), the exceptions above, and a reply with no status.
 */
export function isPermanentStreamError(code: number | undefined, errCode: number | undefined): boolean {
  if (code === undefined || code < 400 || code >= 500) return false;
  if (code === 409 || code === 429) return false;
  return errCode === undefined || !passingClientErrors.has(errCode);
}

/**
 * Whether what the NATS client threw when asked to publish is for good: the payload over the server's
 * max_payload, or a subject it cannot send to. A closed or draining connection (or a reconnect) passes.
 */
export function isPermanentPublishThrow(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    err.name === "InvalidArgumentError" || err.name === "InvalidSubjectError" || err instanceof TypeError
  );
}
