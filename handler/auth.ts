/**
 * Who may do what: bearer tokens with two roles. `read` for pages and GET requests, `admin` for actions. Tokens are
 * compared in constant time (as SHA-256 digests, so their lengths do not leak either). With no read token, reading
 * is open (the server then only listens on loopback); with no admin token, actions are refused with a message that
 * says how to enable them.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";

export interface Tokens {
  /** "" for open reads. */
  readonly read: string;
  /** "" for no actions at all. */
  readonly admin: string;
}

export const Role = { read: "read", admin: "admin" } as const;
export type Role = (typeof Role)[keyof typeof Role];

const digest = (s: string) => createHash("sha256").update(s).digest();

export function sameToken(given: string, expected: string): boolean {
  return expected !== "" && timingSafeEqual(digest(given), digest(expected));
}

/** The token a request carries: `Authorization: Bearer ...`, or the `taskmaster_token` cookie set by the login form. */
export function tokenOf(c: Context): string {
  const header = c.req.header("authorization") ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  const cookie = c.req.header("cookie") ?? "";
  const match = /(?:^|;\s*)taskmaster_token=([^;]+)/.exec(cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : "";
}

/** The role a request has: admin (the admin token), read (the read token, or any request when reads are open). */
export function roleOf(c: Context, tokens: Tokens): Role | null {
  const token = tokenOf(c);
  if (token && sameToken(token, tokens.admin)) return Role.admin;
  if (tokens.read === "" || (token && sameToken(token, tokens.read))) return Role.read;
  return null;
}

/** Requires `role`: 401 without a usable token, 403 with a read token where admin is needed. */
export function requireRole(role: Role, tokens: Tokens): MiddlewareHandler {
  return async (c, next) => {
    if (role === Role.admin && tokens.admin === "")
      return c.json(
        { error: "actions are disabled: set http.admin_token (or http.admin_token_file) to enable them" },
        403,
      );
    const has = roleOf(c, tokens);
    if (has === null)
      return c.json({ error: "a token is needed: send Authorization: Bearer <http.read_token>" }, 401, {
        "WWW-Authenticate": 'Bearer realm="taskmaster"',
      });
    if (role === Role.admin && has !== Role.admin)
      return c.json(
        { error: "this needs the admin token (http.admin_token); the token given can only read" },
        403,
      );
    await next();
    return undefined;
  };
}
