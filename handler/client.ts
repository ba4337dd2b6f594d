/**
 * Who is calling, by address: the socket's peer, or, when that peer is on loopback, the last address of
 * `X-Forwarded-For`. On loopback sits what passes requests on: the engine's proxy in `taskmaster run` (which adds
 * the caller it saw as the last address), or a reverse proxy on the same machine; anything on loopback is trusted to
 * say whom it passes on. The login rate limit and the audit trail count clients by this address.
 */
import type { Context } from "hono";

const loopback = /^(127\.|::1$|::ffff:127\.)/;

export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const peer = env?.incoming?.socket?.remoteAddress ?? "";
  if (!loopback.test(peer)) return peer;
  const forwarded = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
  return forwarded || peer;
}
