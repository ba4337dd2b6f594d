/**
 * Flowlord's `POST /backload`, and the same at `POST /api/v1/backload`: a dry run with the read token, `Execute: true`
 * (or a meta-file named in the request) with the admin one. The answer keeps flowlord's `Status`, `Count` (every task
 * the backload makes) and `Tasks`, but `Tasks` holds one page of them (`?page=`, `?size=`, 100 by default) and
 * `Page`, `PageSize` and `Pages` say which: a backload of ten years by the hour is 87 648 tasks, 16 MB of JSON that
 * would hold the event loop while it is built and the client while it reads it.
 */
import type { Context, Hono, MiddlewareHandler } from "hono";
import { type ActionDeps, audited } from "./actions.ts";
import { Role, roleOf } from "./auth.ts";
import { type Page, pageOf } from "./history.ts";

export interface BackloadResult {
  readonly executed: boolean;
  readonly status: readonly string[];
  /** Every task the backload makes (or made). */
  readonly count: number;
  /** The page of them asked for. */
  readonly tasks: readonly unknown[];
}

/** The backload cannot run now (no workflows loaded yet): a 503 that says so. */
export class BackloadUnavailable extends Error {
  override readonly name = "BackloadUnavailable";
}

export interface BackloadDeps extends ActionDeps {
  /**
   * Plans a backload request (flowlord's body) with the runtime's planner and, when it says `Execute`, publishes it
   * through the runtime's path; answers with the count and the page asked for. Throws `InputError` for a request
   * that cannot be read or planned.
   */
  readonly backload?: (body: unknown, page: Page) => Promise<BackloadResult>;
}

export function mountBackload(
  app: Hono,
  deps: BackloadDeps,
  read: MiddlewareHandler,
  admin: MiddlewareHandler,
): void {
  const backload = async (c: Context) => {
    const run = deps.backload;
    if (!run) return c.json({ error: "backload is not available here" }, 503);
    const page = pageOf(c.req.query());
    let body: unknown;
    try {
      body = await c.req.json();
    } catch (err) {
      return c.json({ error: `the backload request is not valid JSON: ${(err as Error).message}` }, 400);
    }
    const text = JSON.stringify(body);
    const wantsExecute = /"execute"\s*:\s*true/i.test(text);
    // A meta-file named in the request is a file the server reads and shows back: that is the admin's, even in a
    // dry run. (A phase's own meta-file, from its rule, is fine to preview with the read role.)
    const namesFile = /"meta-file"\s*:\s*"[^"]/i.test(text);
    if ((wantsExecute || namesFile) && roleOf(c, deps.tokens) !== Role.admin) {
      const denied = await admin(c, async () => {});
      if (denied) return denied;
    }
    const act = async () => {
      const out = await run(body, page);
      return { out, tasks: out.executed ? out.count : 0 };
    };
    let r: BackloadResult;
    try {
      // A dry run changes nothing and is not recorded; an executed backload is.
      r = wantsExecute ? (await audited(c, deps, "backload", body, act)).out : (await act()).out;
    } catch (err) {
      if (err instanceof BackloadUnavailable) return c.json({ error: err.message }, 503);
      throw err;
    }
    return c.json({
      Status: `${r.executed ? "Executed: " : "DRY RUN ONLY: "}${r.status.join(", ")}`,
      Count: r.count,
      Tasks: r.tasks,
      Page: page.page,
      PageSize: page.size,
      Pages: Math.ceil(r.count / page.size),
    });
  };
  app.post("/backload", read, backload);
  app.post("/api/v1/backload", read, backload);
}
