// Hostile clients and pages through `app.request()`: DNS rebinding (a foreign Host), flowlord's acting GETs from other
// pages, the CSRF check and how a request was authenticated, tokens that match nothing, sign-in guessing, and the
// pages' Content-Security-Policy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryFile } from "../test/helpers/records.ts";
import type { AppDeps } from "./app.ts";
import { historyOf, oneRunStore, testApp } from "./fixture.ts";

let store: HistoryFile;
let close: () => void;
beforeAll(async () => {
  ({ store, close } = oneRunStore());
});
afterAll(() => close());

const open = { read: "", admin: "" };
const app = (over: Partial<AppDeps> = {}) => testApp(historyOf(store), over);
const errorOf = async (r: Response) => ((await r.json()) as { error: string }).error;

describe("the Host header (DNS rebinding)", () => {
  it("refuses a name that is not the server's with 421, saying to add it to http.allowed_hosts", async () => {
    const r = await app({ tokens: open }).request("/api/v1/tasks", {
      headers: { Host: "rebind.attacker.example:8080" },
    });
    expect(r.status).toBe(421);
    expect(await errorOf(r)).toBe(
      'Host "rebind.attacker.example:8080" is not a name of this server (localhost, 127.0.0.1, ::1, or an IP address): if rebind.attacker.example is how clients reach it, add rebind.attacker.example to http.allowed_hosts',
    );
  });

  it("answers localhost, loopback and other addresses, and the allowed names (any case, trailing dot)", async () => {
    const served = app({ tokens: open, allowedHosts: ["tm.example.com"] });
    for (const host of [
      "localhost:8080",
      "127.0.0.1:8080",
      "[::1]:8080",
      "10.1.2.3:8080",
      "[fd00::5]",
      "tm.example.com",
      "TM.Example.com.:443",
    ]) {
      const r = await served.request("/api/v1/status", { headers: { Host: host } });
      expect(r.status, host).toBe(200);
    }
    expect((await served.request("/api/v1/status", { headers: { Host: "example.com" } })).status).toBe(421);
  });

  it("lets the probes answer whatever the Host", async () => {
    for (const path of ["/healthz", "/readyz"]) {
      const r = await app({ tokens: open }).request(path, { headers: { Host: "pod-7f9c.internal:8080" } });
      expect(r.status, path).toBe(200);
    }
  });
});

describe("flowlord's GETs that act: /refresh and /notify", () => {
  const counting = (tokens: AppDeps["tokens"]) => {
    const calls = { reload: 0, notify: 0 };
    const served = app({
      tokens,
      reload: async () => {
        calls.reload++;
        return { changed: [], problems: [] };
      },
      notify: async () => {
        calls.notify++;
      },
    });
    return { served, calls };
  };

  it("refuses them from another page (Sec-Fetch-Site or Origin), and reloads and posts nothing", async () => {
    const { served, calls } = counting(open);
    for (const path of ["/refresh", "/notify"]) {
      const cross = await served.request(path, { headers: { "Sec-Fetch-Site": "cross-site" } });
      expect(cross.status, path).toBe(403);
      expect(await errorOf(cross)).toBe(
        `GET ${path} acts: refused from another page (Sec-Fetch-Site: cross-site)`,
      );
      expect((await served.request(path, { headers: { "Sec-Fetch-Site": "same-site" } })).status).toBe(403);
      const origin = await served.request(path, { headers: { Origin: "http://evil.example" } });
      expect(await errorOf(origin)).toBe(
        `GET ${path} acts: refused from another page (Origin: http://evil.example)`,
      );
    }
    expect(calls).toEqual({ reload: 0, notify: 0 });
  });

  it("keeps them for scripts, and for a person typing the address or on our own page", async () => {
    const { served, calls } = counting(open);
    const sent: Record<string, string>[] = [
      {},
      { "Sec-Fetch-Site": "none" },
      { "Sec-Fetch-Site": "same-origin" },
    ];
    for (const headers of sent) {
      expect((await served.request("/refresh", { headers })).status).toBe(200);
      expect((await served.request("/notify", { headers })).status).toBe(200);
    }
    expect(calls).toEqual({ reload: 3, notify: 3 });
  });

  it("needs the admin token once one is set", async () => {
    const { served, calls } = counting({ read: "r-token", admin: "a-token" });
    for (const path of ["/refresh", "/notify"]) {
      const r = await served.request(path, { headers: { Authorization: "Bearer r-token" } });
      expect(r.status, path).toBe(403);
      expect(await errorOf(r)).toBe(
        "this needs the admin token (http.admin_token); the token given can only read",
      );
      expect((await served.request(path, { headers: { Authorization: "Bearer a-token" } })).status).toBe(200);
    }
    expect(calls).toEqual({ reload: 1, notify: 1 });
  });
});

describe("the CSRF check follows how the request was authenticated", () => {
  const post = (headers: Record<string, string>) =>
    app().request("/api/v1/refresh", {
      method: "POST",
      headers: { Cookie: "taskmaster_token=a-token", ...headers },
    });

  it("asks for the page's token when the admin cookie authenticates, whatever other Authorization is sent", async () => {
    const basic = await post({ Authorization: "Basic dXNlcjpwYXNz" });
    expect(basic.status).toBe(403);
    expect(await errorOf(basic)).toBe(
      "the page's CSRF token is missing or stale: reload the page and try again",
    );
    expect((await post({})).status).toBe(403);
  });

  it("refuses an empty Bearer with 401 instead of falling back on the cookie", async () => {
    const r = await post({ Authorization: "Bearer " });
    expect(r.status).toBe(401);
    expect(await errorOf(r)).toBe("the Authorization: Bearer header carries no token");
  });

  it("needs no page token when the Bearer header authenticates", async () => {
    expect((await post({ Authorization: "Bearer a-token" })).status).toBe(200);
  });
});

describe("a token that matches nothing", () => {
  it("is a 401 that says so, even where reading is open", async () => {
    const served = app({ tokens: { read: "", admin: "a-token" } });
    expect((await served.request("/api/v1/status")).status).toBe(200);
    const bearer = await served.request("/api/v1/status", { headers: { Authorization: "Bearer guessed" } });
    expect(bearer.status).toBe(401);
    expect(await errorOf(bearer)).toBe(
      "the token in the Authorization: Bearer header is neither http.read_token nor http.admin_token",
    );
    const cookie = await served.request("/api/v1/status", { headers: { Cookie: "taskmaster_token=old" } });
    expect(cookie.status).toBe(401);
    expect(await errorOf(cookie)).toBe(
      "the token in the taskmaster_token cookie (sign in again) is neither http.read_token nor http.admin_token",
    );
  });

  it("sends a page to the login form and drops the stale cookie", async () => {
    const r = await app({ tokens: open }).request("/web/tasks", {
      headers: { Cookie: "taskmaster_token=old" },
    });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/login?next=%2Fweb%2Ftasks");
    expect(r.headers.get("set-cookie")).toMatch(/^taskmaster_token=; Max-Age=0; Path=\//);
  });
});

describe("signing in", () => {
  const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });
  const attempt = (served: ReturnType<typeof app>, address: string) =>
    served.request(
      "/login",
      { method: "POST", body: new URLSearchParams({ token: "guess" }) },
      from(address),
    );

  it("allows 10 attempts from an address, then answers 429 with Retry-After; other addresses go on", async () => {
    const served = app();
    for (let i = 0; i < 10; i++) expect((await attempt(served, "10.0.0.9")).status).toBe(401);
    const limited = await attempt(served, "10.0.0.9");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("6");
    expect(await limited.text()).toContain("Too many sign-in attempts from this address: try again in 6 s.");
    expect((await attempt(served, "10.0.0.10")).status).toBe(401);
  });
});

describe("the pages' Content-Security-Policy", () => {
  const cookie = { headers: { Cookie: "taskmaster_token=a-token" } };

  it("allows this origin's scripts and styles only, and the pages hold no inline script or style", async () => {
    for (const path of ["/web/tasks", "/web/workflows", "/web/backload", "/web/about", "/login"]) {
      const r = await app().request(path, cookie);
      expect(r.status, path).toBe(200);
      expect(r.headers.get("content-security-policy"), path).toBe(
        "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      const html = await r.text();
      expect(html, path).not.toMatch(/<style|<script(?![^>]*\b(src=|type="application\/json"))/);
    }
  });

  it("serves the styles and the live script the pages link", async () => {
    const css = await app().request("/static/style.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const text = await css.text();
    for (const rule of [":root {", ".wf-graph {", ".workflows section", ".backload fieldset"])
      expect(text).toContain(rule);
    expect(await (await app().request("/static/live.js")).text()).toContain(
      'new EventSource("/api/v1/events")',
    );
  });

  it("leaves Swagger UI its own policy", async () => {
    const r = await app().request("/api/docs");
    expect(r.headers.get("content-security-policy")).toContain("style-src 'self' 'unsafe-inline'");
  });
});
