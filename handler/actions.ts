/**
 * People's actions over the API: retry a task, re-run it with or without what follows it, launch a phase now, and
 * read the audit trail. Each action goes through the runtime's planner and publish path (the deps), and each is
 * recorded, whatever came of it: who (role, token fingerprint, address, the name a script gives in
 * `X-Taskmaster-Actor`), what (the request), when, and the outcome.
 */

import { createHash } from "node:crypto";
import type { Context, Hono, MiddlewareHandler } from "hono";
import type { ActionRow, TaskRow } from "../internal/cache/index.ts";
import type { ActionEntry } from "../internal/engine/index.ts";
import { InputError } from "../internal/errors/index.ts";
import { roleOf, type Tokens, tokenOf } from "./auth.ts";
import { clientAddress } from "./client.ts";
import type { History } from "./history.ts";

export interface RerunResult {
  readonly sent: unknown;
  /** The phases that will follow once it completes (none when run alone). */
  readonly downstream: readonly string[];
}

export interface LaunchBody {
  readonly workflow: string;
  readonly phase: string;
  readonly at: string;
  readonly meta: ReadonlyMap<string, string>;
  readonly info: string;
}

export interface ActionDeps {
  readonly tokens: Tokens;
  readonly history: History;
  /** Runs a recorded task again; `downstream: false` runs it alone (its children are not made). */
  readonly rerun?: (task: TaskRow, options: { downstream: boolean }) => Promise<RerunResult>;
  /** Plans and publishes a phase's task(s) for now (or `at`). */
  readonly launch?: (body: LaunchBody) => Promise<{ status: readonly string[]; tasks: readonly unknown[] }>;
  /** Stores the audit record; the answer is sent only once it is stored. */
  readonly audit?: (entry: ActionEntry) => Promise<void>;
  /** The newest audit records. */
  readonly actions?: (limit: number) => readonly ActionRow[];
}

/** Who is asking, as the audit trail shows it. The token itself is never recorded, only a short fingerprint. */
export function actorOf(c: Context, tokens: Tokens): string {
  const token = tokenOf(c);
  const role = roleOf(c, tokens) ?? "anonymous";
  const print = token ? ` token ${createHash("sha256").update(token).digest("hex").slice(0, 8)}` : "";
  const address = clientAddress(c);
  const name = (c.req.header("x-taskmaster-actor") ?? "").replace(/[^\w .@:/-]/g, "").slice(0, 80);
  return `${role}${print}${address ? ` from ${address}` : ""}${name ? ` (${name})` : ""}`;
}

/**
 * Runs `act`, records it with its outcome, and answers. A failure is recorded too, then thrown on to the app's
 * error handler (400 for bad input, 500 otherwise).
 */
export async function audited<T extends { tasks: number }>(
  c: Context,
  deps: ActionDeps,
  action: string,
  detail: unknown,
  act: () => Promise<T>,
): Promise<T> {
  const record = (outcome: string, tasks: number) =>
    deps.audit?.({ action, actor: actorOf(c, deps.tokens), detail, outcome, tasks }) ?? Promise.resolve();
  let result: T;
  try {
    result = await act();
  } catch (err) {
    await record(`failed: ${(err as Error).message}`, 0).catch(() => undefined);
    throw err;
  }
  await record("ok", result.tasks);
  return result;
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new InputError(`the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new InputError("the request body must be a JSON object");
  return body as Record<string, unknown>;
}

function text(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new InputError(`${key}: must be a string`);
  return v.trim();
}

function metaOf(value: unknown): Map<string, string> {
  if (value === undefined || value === null) return new Map();
  if (typeof value !== "object" || Array.isArray(value))
    throw new InputError('meta: must be an object of strings, such as {"region": "eu"}');
  const meta = new Map<string, string>();
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new InputError(`meta.${k}: must be a string`);
    meta.set(k, v);
  }
  return meta;
}

export function mountActions(
  app: Hono,
  deps: ActionDeps,
  read: MiddlewareHandler,
  admin: MiddlewareHandler,
): void {
  const rerun = async (c: Context, action: string, downstream: boolean): Promise<Response> => {
    const rerunTask = deps.rerun;
    if (!rerunTask) return c.json({ error: `${action} is not available here` }, 503);
    const key = c.req.param("key") ?? "";
    const task = deps.history.taskByKey(key);
    if (!task) return c.json({ error: `no task record with key ${key}` }, 404);
    if (task.kind === "failed")
      return c.json({ error: "that is the failed-topic copy; act on the task it copies" }, 400);
    const detail = { key: task.key, id: task.id, task: task.job ? `${task.type}:${task.job}` : task.type };
    const r = await audited(c, deps, action, { ...detail, downstream }, async () => ({
      ...(await rerunTask(task, { downstream })),
      tasks: 1,
    }));
    return c.json({ sent: r.sent, downstream: r.downstream });
  };

  // Retry: the task again, as it was; what follows it follows as for any task.
  app.post("/api/v1/tasks/:key/retry", admin, (c) => rerun(c, "retry", true));
  // Re-run: the same, with `{"downstream": false}` to run it alone.
  app.post("/api/v1/tasks/:key/rerun", admin, async (c) => {
    const body = await jsonBody(c);
    if (body.downstream !== undefined && typeof body.downstream !== "boolean")
      throw new InputError("downstream: must be true or false");
    return rerun(c, "rerun", body.downstream !== false);
  });
  app.post("/api/v1/phases/launch", admin, async (c) => {
    const launch = deps.launch;
    if (!launch) return c.json({ error: "launching is not available here" }, 503);
    const body = await jsonBody(c);
    const request: LaunchBody = {
      workflow: text(body, "workflow"),
      phase: text(body, "phase"),
      at: text(body, "at"),
      meta: metaOf(body.meta),
      info: text(body, "info"),
    };
    if (!request.workflow || !request.phase)
      throw new InputError(
        "workflow and phase are required: the phase's file and its task (topic or topic:job)",
      );
    const detail = { ...request, meta: Object.fromEntries(request.meta) };
    const r = await audited(c, deps, "launch", detail, async () => {
      const out = await launch(request);
      return { out, tasks: out.tasks.length };
    });
    return c.json({ status: r.out.status, count: r.tasks, tasks: r.out.tasks });
  });
  app.get("/api/v1/actions", read, (c) => {
    if (!deps.actions) return c.json({ error: "no audit trail here (the cache is off)" }, 503);
    const limit = Number(c.req.query("limit") ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new InputError(`limit: "${c.req.query("limit")}" must be a whole number from 1 to 1000`);
    return c.json({ actions: deps.actions(limit) });
  });
}
