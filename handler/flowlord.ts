/**
 * Flowlord's remaining endpoints, for the scripts and people used to them: `/recap` (the day's tasks per
 * `type:job`, JSON or flowlord's text), `/notify` (Slack's "all OK") and `/workflow/*` (the raw workflow files).
 *
 * `/workflow/*` only ever reads inside the workflow root. Flowlord refused a path containing `../` with an empty
 * 204 and let everything else through (encoded dots, symlinks out of the root); here a path is checked segment by
 * segment after decoding, its real path must lie under the root's real path, and a refusal is a 404 whose JSON
 * names the path and says why. A 204 is a success with nothing to say: a script could not tell a refused or
 * missing path from an empty file, and 404 is what a client expects for "nothing for you here".
 */
import type { Dirent } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { extname, join, sep } from "node:path";
import type { Context, Hono, MiddlewareHandler } from "hono";
import { printDates } from "../internal/alert/index.ts";
import type { RecapRow } from "../internal/cache/index.ts";
import { formatDuration } from "../internal/rule/index.ts";
import { sameOriginOnly } from "./csrf.ts";
import { parseDay } from "./history.ts";

export interface FlowlordDeps {
  /** The recap of the tasks created on a UTC day (`recapOn` on the cache's read connection). */
  readonly recap: (day: string) => readonly RecapRow[];
  /** Sends Slack's "all OK" message; undefined when Slack is not configured. */
  readonly notify?: () => Promise<void>;
  /** The workflow path: a directory, or a single file. */
  readonly workflowRoot: () => string;
  readonly now: () => Date;
}

/** `act` guards `/notify`, which posts to Slack; it is refused from other pages whatever `act` allows. */
export function mountFlowlord(
  app: Hono,
  deps: FlowlordDeps,
  read: MiddlewareHandler,
  act: MiddlewareHandler,
): void {
  app.get("/recap", read, (c) => {
    let day: string;
    try {
      day = parseDay(c.req.query("date"), deps.now());
    } catch (err) {
      return c.json({ error: (err as Error).message }, 400);
    }
    const rows = deps.recap(day);
    // Flowlord answered JSON only to exactly `Accept: application/json`; a list that includes it is asking too.
    if ((c.req.header("accept") ?? "").includes("application/json")) return c.json(recapJson(rows));
    return c.text(rows.map(recapText).join(""));
  });

  app.get("/notify", sameOriginOnly, act, async (c) => {
    if (!deps.notify) return c.text("Slack is not configured: set slack.url to send the OK message\n", 503);
    // A failure is the app's error handler's: Slack's message may carry the webhook's address, a secret.
    await deps.notify();
    return c.body(null, 200);
  });

  const workflow = (c: Context) => serveWorkflow(c, deps.workflowRoot());
  app.get("/workflow", read, workflow);
  app.get("/workflow/*", read, workflow);
}

/** Flowlord's recap JSON: `{"type:job": {min, max, avg, complete: {Count, Times}, error: {Count, Times}}}`. */
function recapJson(rows: readonly RecapRow[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of rows) {
    out[r.key] = {
      min: formatDuration(r.minMs),
      max: formatDuration(r.maxMs),
      avg: formatDuration(r.avgMs),
      complete: { Count: r.complete.count, Times: dates(r.complete.times) },
      error: { Count: r.error.count, Times: dates(r.error.times) },
    };
  }
  return out;
}

/**
 * Flowlord's recap text for one key: `key\n\tmin: … max: … avg: …`, then `\n\tComplete: N <dates>` and
 * `\n\tError: N <dates>` when there are any (flowlord leaves a line out when its count is 0), then `\n`.
 */
function recapText(r: RecapRow): string {
  let text = `${r.key}\n\tmin: ${goDuration(r.minMs)} max: ${goDuration(r.maxMs)} avg: ${goDuration(r.avgMs)}`;
  if (r.complete.count > 0) text += `\n\tComplete: ${r.complete.count} ${dates(r.complete.times)}`;
  if (r.error.count > 0) text += `\n\tError: ${r.error.count} ${dates(r.error.times)}`;
  return `${text}\n`;
}

function dates(times: readonly string[]): string {
  return printDates(times.map((t) => new Date(t)).filter((t) => !Number.isNaN(t.getTime())));
}

/** Go's `Duration.String`, which keeps the zero units after the first (`1h0m0s`), as flowlord's text printed it. */
function goDuration(ms: number): string {
  const text = formatDuration(ms);
  if (text.endsWith("h")) return `${text}0m0s`;
  return text.endsWith("m") ? `${text}0s` : text;
}

const contentTypes: Readonly<Record<string, string>> = {
  ".toml": "application/toml; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".yaml": "text/x-yaml; charset=utf-8",
  ".yml": "text/x-yaml; charset=utf-8",
};

/** Why a requested path is refused, or its segments (decoded, none empty) when it may be looked up. */
export function workflowSegments(rawPath: string): { segments: string[] } | { refused: string } {
  const segments: string[] = [];
  for (const raw of rawPath.split("/")) {
    if (raw === "") continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { refused: "it is not valid percent-encoding" };
    }
    if (segment === "." || segment === "..") return { refused: "it climbs out of the workflow root" };
    if (/[/\\\0]/.test(segment)) return { refused: "it holds an encoded slash, a backslash or a NUL" };
    if (segment.startsWith(".")) return { refused: "hidden files are not served" };
    segments.push(segment);
  }
  return { segments };
}

/** `real` is `root` or under it (both real paths). */
function within(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function serveWorkflow(c: Context, root: string): Promise<Response> {
  // The path as sent, still percent-encoded: Hono's decoded path would turn `..%2f` into a separator unseen.
  const raw = new URL(c.req.url).pathname.replace(/^\/workflow\/?/, "");
  const shown = `/workflow/${raw}`;
  const checked = workflowSegments(raw);
  if ("refused" in checked) return c.json({ error: `${shown}: refused, ${checked.refused}` }, 404);
  let rootReal: string;
  let rootIsDir: boolean;
  try {
    rootReal = await realpath(root);
    rootIsDir = (await stat(rootReal)).isDirectory();
  } catch (err) {
    return c.json({ error: `the workflow path ${root} cannot be read: ${(err as Error).message}` }, 404);
  }
  // Single-file mode: whatever the path, the one file, as flowlord did.
  if (!rootIsDir) return sendFile(c, rootReal, shown);
  let real: string;
  try {
    real = await realpath(join(rootReal, ...checked.segments));
  } catch {
    return c.json({ error: `${shown}: no such workflow file or directory` }, 404);
  }
  if (!within(rootReal, real))
    return c.json({ error: `${shown}: refused, it leads out of the workflow root` }, 404);
  // A file removed since the realpath is sendFile's 404, like any file that cannot be read.
  const isDirectory = await stat(real).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory) return sendFile(c, real, shown);
  const prefix = checked.segments.join("/");
  const files = await listFiles(rootReal, real, prefix);
  return c.text(files.map((f) => `${f}\n`).join(""));
}

async function sendFile(c: Context, path: string, shown: string): Promise<Response> {
  try {
    if (!(await stat(path)).isFile()) return c.json({ error: `${shown}: not a regular file` }, 404);
    const body = await readFile(path);
    const type = contentTypes[extname(path).toLowerCase()] ?? "text/plain; charset=utf-8";
    return c.body(body, 200, { "Content-Type": type });
  } catch (err) {
    return c.json({ error: `${shown}: ${(err as Error).message}` }, 404);
  }
}

/**
 * Every regular file under `dir`, recursively, as `/`-separated paths relative to the root, sorted. Hidden entries
 * are skipped, and so are symlinks whose target is outside the root (or missing); a directory reached twice (a
 * link back up the tree) is walked once.
 */
async function listFiles(rootReal: string, dir: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = async (real: string, name: string): Promise<void> => {
    if (seen.has(real)) return;
    seen.add(real);
    let entries: Dirent[];
    try {
      entries = await readdir(real, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = name === "" ? entry.name : `${name}/${entry.name}`;
      let target: string;
      try {
        target = entry.isSymbolicLink() ? await realpath(join(real, entry.name)) : join(real, entry.name);
      } catch {
        continue;
      }
      if (!within(rootReal, target)) continue;
      const kind = await stat(target).catch(() => undefined);
      if (kind?.isDirectory()) await walk(target, path);
      else if (kind?.isFile()) found.push(path);
    }
  };
  await walk(dir, prefix);
  return found.sort();
}
