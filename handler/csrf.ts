/**
 * Cross-site request forgery: a request that acts must prove it comes from one of our pages when the browser
 * authenticates it by the cookie (a script sending `Authorization: Bearer` cannot be forged cross-site: a foreign
 * page cannot set that header). What counts is the credential the request was authenticated by, not which headers
 * it has: an `Authorization: Basic` a browser adds for a proxy in front still leaves the cookie doing the work.
 * Pages carry a token in `<meta name="csrf-token">`, derived from the session's token with a key that lives only in
 * this process; forms send it as `_csrf`, scripts as `X-CSRF-Token`. A request whose `Origin` is another site is
 * refused as well. The SameSite=Strict cookie is the first wall; this is the second.
 *
 * Flowlord's GETs that act (`/refresh`, `/notify`) cannot carry a page's token: `sameOriginOnly` refuses them when
 * a browser says the request comes from another page (`Sec-Fetch-Site`, `Origin`); scripts and curl send neither.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { credentialOf, tokenOf } from "./auth.ts";

const safe = new Set(["GET", "HEAD", "OPTIONS"]);

export interface Csrf {
  /** The token for this request's session, for the page to carry. */
  tokenFor(c: Context): string;
  /** Refuses (403) an unsafe request authenticated by the cookie without the page's token, or from another origin. */
  readonly check: MiddlewareHandler;
  /** Puts the page's token into an HTML response's <head>. */
  readonly inject: MiddlewareHandler;
}

/** Refuses (403) a request a browser made from another page: for GETs that act, which carry no CSRF token. */
export const sameOriginOnly: MiddlewareHandler = async (c, next) => {
  const site = c.req.header("sec-fetch-site");
  const origin = c.req.header("origin");
  const what = `${c.req.method} ${c.req.path} acts`;
  // "none" is a person typing the address or following a bookmark; "same-site" includes other ports of this host.
  if (site !== undefined && site !== "same-origin" && site !== "none")
    return c.json({ error: `${what}: refused from another page (Sec-Fetch-Site: ${site})` }, 403);
  if (origin !== undefined && hostOf(origin) !== new URL(c.req.url).host)
    return c.json({ error: `${what}: refused from another page (Origin: ${origin})` }, 403);
  return next();
};

export function createCsrf(key: Buffer = randomBytes(32)): Csrf {
  const tokenFor = (c: Context) =>
    createHmac("sha256", key)
      .update(tokenOf(c) || "-")
      .digest("base64url");
  const same = (given: string, expected: string) => {
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const check: MiddlewareHandler = async (c, next) => {
    if (safe.has(c.req.method)) return next();
    const origin = c.req.header("origin");
    if (origin && origin !== "null" && hostOf(origin) !== new URL(c.req.url).host)
      return c.json({ error: `cross-site request refused: Origin ${origin} is not this site` }, 403);
    const byCookie = credentialOf(c).via === "cookie";
    // Signing in replaces the cookie (maybe a stale one): it acts on nothing, and the Origin check above covers it.
    if (!byCookie || c.req.path === "/login") return next();
    let given = c.req.header("x-csrf-token") ?? "";
    if (!given && /form/.test(c.req.header("content-type") ?? "")) {
      const form = await c.req.parseBody();
      given = typeof form._csrf === "string" ? form._csrf : "";
    }
    if (!same(given, tokenFor(c)))
      return c.json(
        { error: "the page's CSRF token is missing or stale: reload the page and try again" },
        403,
      );
    return next();
  };
  const inject: MiddlewareHandler = async (c, next) => {
    await next();
    if (!(c.res.headers.get("content-type") ?? "").startsWith("text/html")) return;
    const html = await c.res.text();
    const meta = `<meta name="csrf-token" content="${tokenFor(c)}"/>`;
    const headers = new Headers(c.res.headers);
    headers.delete("content-length");
    c.res = new Response(html.replace("<head>", `<head>${meta}`), { status: c.res.status, headers });
  };
  return { tokenFor, check, inject };
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return `(unreadable origin ${origin})`;
  }
}
