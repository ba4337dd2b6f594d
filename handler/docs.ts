/**
 * Swagger UI for the OpenAPI document, at `/api/docs`, served from the `swagger-ui-dist` package: no CDN, so it
 * works where the service has no way out, and shows exactly the version that was installed with the service.
 *
 * The files are found at run time through Node's resolution from this module (`createRequire(import.meta.url)`),
 * never copied or inlined at bundle time: `npm run build` bundles the sources with `packages: "external"` into
 * `dist/`, from where resolution finds the project's `node_modules`, the same as from the sources under vitest or
 * tsx. They are read once, on first mount, and kept.
 *
 * The page has no inline script, so a Content-Security-Policy of `script-src 'self'` holds: the boot code is the
 * asset `init.js`. Asset URLs carry a digest of their content (`?v=`), so they can be cached for a year and an
 * upgrade is still picked up at once.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Context, Hono } from "hono";

interface Asset {
  readonly type: string;
  readonly body: Uint8Array<ArrayBuffer>;
  /** The first characters of the content's SHA-256, for the `?v=` of its URL. */
  readonly digest: string;
  /** Made on the first request that accepts gzip (the bundle shrinks from 1.7 MB to about 0.5 MB). */
  gzipped?: Uint8Array<ArrayBuffer>;
}

const base = "/api/docs";
const js = "application/javascript; charset=utf-8";

/** The files taken from swagger-ui-dist, and their types. */
const packaged: Readonly<Record<string, string>> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": js,
  "swagger-ui-standalone-preset.js": js,
  "favicon-32x32.png": "image/png",
};

/** The boot code: Swagger UI on the service's own OpenAPI document. */
const init = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
  });
});
`;

/** Swagger UI needs inline styles and data: images; everything else comes from this origin. */
const pagePolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
].join("; ");

let loaded: ReadonlyMap<string, Asset> | undefined;

/** The assets, read from the installed package the first time they are needed. */
function assets(): ReadonlyMap<string, Asset> {
  if (loaded) return loaded;
  const dir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const map = new Map<string, Asset>();
  const add = (name: string, type: string, data: Buffer) => {
    // Copied once into a plain Uint8Array: what Hono's body takes, without a copy per request.
    const body = new Uint8Array(data);
    map.set(name, { type, body, digest: createHash("sha256").update(body).digest("hex").slice(0, 12) });
  };
  for (const [name, type] of Object.entries(packaged)) add(name, type, readFileSync(join(dir, name)));
  add("init.js", js, Buffer.from(init));
  loaded = map;
  return map;
}

function page(files: ReadonlyMap<string, Asset>): string {
  const url = (name: string) => `${base}/assets/${name}?v=${files.get(name)?.digest ?? ""}`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>taskmaster API</title>
  <link rel="stylesheet" href="${url("swagger-ui.css")}">
  <link rel="icon" type="image/png" href="${url("favicon-32x32.png")}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${url("swagger-ui-bundle.js")}"></script>
  <script src="${url("swagger-ui-standalone-preset.js")}"></script>
  <script src="${url("init.js")}"></script>
</body>
</html>
`;
}

export function mountDocs(app: Hono): void {
  const files = assets();
  const html = page(files);
  app.get(base, (c) => c.html(html, 200, { "Content-Security-Policy": pagePolicy }));
  app.get(`${base}/assets/:name`, (c) => {
    const asset = files.get(c.req.param("name"));
    if (!asset) return c.json({ error: `no such asset: ${c.req.param("name")}` }, 404);
    return sendAsset(c, asset);
  });
}

function sendAsset(c: Context, asset: Asset): Response {
  const headers: Record<string, string> = {
    "Content-Type": asset.type,
    "Cache-Control": "public, max-age=31536000, immutable",
    Vary: "Accept-Encoding",
  };
  const compressible = !asset.type.startsWith("image/");
  if (compressible && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
    asset.gzipped ??= new Uint8Array(gzipSync(asset.body));
    return c.body(asset.gzipped, 200, { ...headers, "Content-Encoding": "gzip" });
  }
  return c.body(asset.body, 200, headers);
}
