// Swagger UI at /api/docs through `app.request()`: the page boots from local assets only (no CDN, no inline
// script), and the assets come from the installed swagger-ui-dist with their types and a long cache.
import { gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { describe, expect, it } from "vitest";
import { mountDocs } from "./docs.ts";

function app() {
  const hono = new Hono();
  hono.use(secureHeaders());
  mountDocs(hono);
  return hono;
}

/** The asset URLs the page refers to, in order. */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
}

describe("/api/docs", () => {
  it("is an HTML page that loads Swagger UI from this server only", async () => {
    const res = await app().request("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('<div id="swagger-ui"></div>');
    const urls = assetUrls(html).map((u) => u.replace(/\?v=[0-9a-f]{12}$/, ""));
    expect(urls).toEqual([
      "/api/docs/assets/swagger-ui.css",
      "/api/docs/assets/favicon-32x32.png",
      "/api/docs/assets/swagger-ui-bundle.js",
      "/api/docs/assets/swagger-ui-standalone-preset.js",
      "/api/docs/assets/init.js",
    ]);
    // Every script is a file: nothing for a script-src 'self' policy to block.
    expect(html.match(/<script[^>]*>/g)?.every((tag) => tag.includes(" src="))).toBe(true);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("serves every asset the page refers to, with its type and a year of caching", async () => {
    const docs = app();
    const html = await (await docs.request("/api/docs")).text();
    const types: Record<string, RegExp> = {
      "swagger-ui.css": /^text\/css/,
      "favicon-32x32.png": /^image\/png$/,
      "swagger-ui-bundle.js": /^application\/javascript/,
      "swagger-ui-standalone-preset.js": /^application\/javascript/,
      "init.js": /^application\/javascript/,
    };
    for (const url of assetUrls(html)) {
      const name = /assets\/([^?]+)/.exec(url)?.[1] ?? "";
      const res = await docs.request(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-type"), url).toMatch(types[name] ?? /^$/);
      expect(res.headers.get("cache-control"), url).toBe("public, max-age=31536000, immutable");
    }
  });

  it("serves the real bundle, gzipped when the client accepts it", async () => {
    const docs = app();
    const plain = await docs.request("/api/docs/assets/swagger-ui-bundle.js");
    const body = Buffer.from(await plain.arrayBuffer());
    expect(body.length).toBeGreaterThan(500_000);
    expect(body.toString("utf8")).toContain("SwaggerUIBundle");
    const zipped = await docs.request("/api/docs/assets/swagger-ui-bundle.js", {
      headers: { "Accept-Encoding": "gzip, br" },
    });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    const packed = Buffer.from(await zipped.arrayBuffer());
    expect(packed.length).toBeLessThan(body.length / 2);
    expect(gunzipSync(packed).equals(body)).toBe(true);
  });

  it("boots Swagger UI on the service's own OpenAPI document", async () => {
    const init = await (await app().request("/api/docs/assets/init.js")).text();
    expect(init).toContain('url: "/api/openapi.json"');
    expect(init).toContain("SwaggerUIBundle(");
  });

  it("answers 404 for an asset it does not have", async () => {
    for (const path of ["/api/docs/assets/index.html", "/api/docs/assets/..%2fpackage.json"]) {
      const res = await app().request(path);
      expect(res.status, path).toBe(404);
    }
  });
});
