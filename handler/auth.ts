/**
 * Who may do what: bearer tokens with two roles. `read` for pages and GET requests, `admin` for actions. Tokens are
 * compared in constant time (as SHA-256 digests, so their lengths do not leak either). With no read token, reading
 * is open (the server then only listens on loopback); with no admin token, actions are refused with a message that
 * says how to enable them. A token that is presented and matches neither is refused even where reading is open: a
 * client with a wrong or stale token should learn so, not be served as anonymous.
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

/** The shortest token accepted at start-up: 16 characters of base64 are 96 bits, beyond any guessing over HTTP. */
export const minTokenLength = 16;

/** Why `token` cannot be a read or admin token, or undefined when it can. */
export function tokenProblem(token: string): string | undefined {
  if (token.trim() === "") return "the token is blank";
  if (/\s/.test(token))
    return "the token holds whitespace, which an Authorization: Bearer header cannot carry";
  if (token.length < minTokenLength)
    return `the token is ${token.length} characters long; use at least ${minTokenLength} (openssl rand -base64 24 makes one)`;
  return undefined;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

export function sameToken(given: string, expected: string): boolean {
  return expected !== "" && timingSafeEqual(digest(given), digest(expected));
}

/**
 * How a request presents a token: `Authorization: Bearer ...` (which a foreign page cannot make a browser send),
 * else the `taskmaster_token` cookie set by the login form (which the browser sends by itself), else nothing. Any
 * other Authorization scheme (`Basic`, for a proxy in front) presents no token here.
 */
export type Credential =
  | { readonly via: "bearer" | "cookie"; readonly token: string }
  | { readonly via: "none"; readonly token: "" };

export function credentialOf(c: Context): Credential {
  const bearer = /^Bearer(?:\s+(.*))?$/i.exec((c.req.header("authorization") ?? "").trim());
  if (bearer) return { via: "bearer", token: (bearer[1] ?? "").trim() };
  const cookie = /(?:^|;\s*)taskmaster_token=([^;]*)/.exec(c.req.header("cookie") ?? "");
  if (cookie) return { via: "cookie", token: decodeCookie(cookie[1] ?? "") };
  return { via: "none", token: "" };
}

function decodeCookie(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The token a request carries ("" for none). */
export function tokenOf(c: Context): string {
  return credentialOf(c).token;
}

/**
 * The role a request has: admin (the admin token), read (the read token, or no token at all when reads are open);
 * null without a usable token, and for a token presented that matches neither.
 */
export function roleOf(c: Context, tokens: Tokens): Role | null {
  const { via, token } = credentialOf(c);
  if (via === "none") return tokens.read === "" ? Role.read : null;
  if (sameToken(token, tokens.admin)) return Role.admin;
  return sameToken(token, tokens.read) ? Role.read : null;
}

/** What a 401 says: a token is missing, or the one sent is wrong. */
function unauthorized(c: Context): string {
  const { via, token } = credentialOf(c);
  if (via === "none") return "a token is needed: send Authorization: Bearer <http.read_token>";
  const where =
    via === "bearer" ? "the Authorization: Bearer header" : "the taskmaster_token cookie (sign in again)";
  if (token === "") return `${where} carries no token`;
  return `the token in ${where} is neither http.read_token nor http.admin_token`;
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
      return c.json({ error: unauthorized(c) }, 401, { "WWW-Authenticate": 'Bearer realm="taskmaster"' });
    if (role === Role.admin && has !== Role.admin)
      return c.json(
        { error: "this needs the admin token (http.admin_token); the token given can only read" },
        403,
      );
    await next();
    return undefined;
  };
}
