/**
 * The names this server answers to. A page on any site can point a name of its own at 127.0.0.1 (DNS rebinding);
 * the browser then treats the API as that page's own origin and lets it read every answer. What gives it away is
 * the `Host` header, which carries the page's name: a request whose Host is not one of ours is refused with 421.
 *
 * Ours are `localhost`, the loopback addresses, the host of `http.listen`, the names in `http.allowed_hosts`, and any
 * IP address: rebinding needs a name, and a browser that addresses an IP sees what answers at that IP, which is this
 * server (Prometheus and orchestrators reach a pod by its IP). Ports are not compared: the attacker's page would
 * use our port anyway, and a proxy in front may forward its own. `/healthz` and `/readyz` answer whatever the Host:
 * probes send what their platform chooses, and these two say nothing private.
 */
import { isIP } from "node:net";
import type { MiddlewareHandler } from "hono";

const loopback = ["localhost", "127.0.0.1", "::1"];
const probes = new Set(["/healthz", "/readyz"]);

/** A host name as compared: lower case, without brackets, port or trailing dot. */
export function hostName(host: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  const name = bracketed ? (bracketed[1] ?? "") : host.replace(/:\d*$/, "");
  return name.toLowerCase().replace(/\.$/, "");
}

/** Refuses (421) a request whose Host header names none of ours; `names` are those beyond localhost and loopback. */
export function hostCheck(names: readonly string[]): MiddlewareHandler {
  const ours = new Set([...loopback, ...names.map(hostName)].filter((n) => n !== ""));
  const listed = [...ours].join(", ");
  return async (c, next) => {
    const host = c.req.header("host");
    // A request without Host (HTTP/1.0, a test's app.request) was not sent by a browser on a page of any name.
    if (host === undefined || probes.has(c.req.path)) return next();
    const name = hostName(host);
    if (ours.has(name) || isIP(name) !== 0) return next();
    return c.json(
      {
        error: `Host "${host}" is not a name of this server (${listed}, or an IP address): if ${name} is how clients reach it, add ${name} to http.allowed_hosts`,
      },
      421,
    );
  };
}
