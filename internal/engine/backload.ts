/**
 * Backloads, the I/O around the pure planner: the meta-files read without blocking, the tasks counted and only the
 * page asked for made, and an executed backload published a chunk at a time, with a turn of the event loop between
 * chunks, so that probes, pages and scheduling go on while 100 000 tasks are made and sent.
 */
import { InputError } from "../errors/index.ts";
import {
  type BackloadRequest,
  type BackloadSlots,
  backloadMetaFiles,
  type Plan,
  type PlanContext,
  parseBackloadRequest,
  prepareBackload,
} from "../plan/index.ts";
import type { Snapshot } from "../workflow/index.ts";

/** How many tasks are made and published between two turns of the event loop. */
const chunk = 1000;

export interface BackloadRunnerDeps {
  /** The workflows in use; throws when there are none yet (the caller says how that is answered). */
  readonly snapshot: () => Snapshot;
  /** The planning context with these meta-files read (without blocking), as the engine reads them. */
  readonly context: (metaFiles: readonly string[]) => Promise<PlanContext>;
  /** Publishes through the runtime's path; resolves once all is stored. */
  readonly publish: (plan: Plan) => Promise<number>;
}

/** Which page of a backload's tasks to answer with (1-based). */
export interface BackloadPage {
  readonly page: number;
  readonly size: number;
}

export interface BackloadOutcome {
  readonly executed: boolean;
  readonly status: readonly string[];
  /** Every task the backload makes (or made). */
  readonly count: number;
  /** The page of them asked for. */
  readonly tasks: readonly unknown[];
}

/**
 * Runs backload requests (flowlord's body): a dry run answers with the count and the page asked for; one that says
 * `Execute` publishes every task first. A request that cannot be read or planned throws `InputError`.
 */
export function backloadRunner(
  deps: BackloadRunnerDeps,
): (body: unknown, page: BackloadPage) => Promise<BackloadOutcome> {
  return async (body, page) => {
    const snapshot = deps.snapshot();
    const request = parseBackloadRequest(body);
    const ctx = await deps.context(backloadMetaFiles(snapshot, request));
    const slots = prepared(snapshot, request, ctx);
    const first = (page.page - 1) * page.size;
    const last = first + page.size;
    if (!request.execute) {
      const tasks = slots.emissions(first, last).map((e) => e.task);
      return { executed: false, status: slots.status, count: slots.count, tasks };
    }
    const tasks: unknown[] = [];
    for (let start = 0; start < slots.count; start += chunk) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      const emissions = slots.emissions(start, start + chunk);
      await deps.publish({ emissions, alerts: [], notes: [] });
      for (let i = Math.max(first, start); i < Math.min(last, start + emissions.length); i++)
        tasks.push(emissions[i - start]?.task);
    }
    return { executed: true, status: slots.status, count: slots.count, tasks };
  };
}

/** The backload's tasks counted; a meta-file it cannot read means it cannot be made as asked, and says why. */
function prepared(snapshot: Snapshot, request: BackloadRequest, ctx: PlanContext): BackloadSlots {
  try {
    return prepareBackload(snapshot, request, ctx);
  } catch (err) {
    if ((err as Error).name !== "MetaFileError") throw err;
    throw new InputError(`meta-file: ${(err as Error).message}`, { cause: err });
  }
}
