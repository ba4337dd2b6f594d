/**
 * What a worker writes on a task: started, then ended, result, msg and the merged meta, as pcelvng's launcher does;
 * and the message id that makes a retried done publish land once in the stream.
 */
import { createHash } from "node:crypto";
import { encodeMeta, parseMeta, Result, type Task, withMeta } from "../task/index.ts";
import type { Outcome } from "./types.ts";

const results: ReadonlySet<string> = new Set(Object.values(Result));

/** RFC 3339 in UTC with milliseconds (`2026-01-02T03:04:05.123Z`), so two runs of one task in a second differ. */
export function timestamp(at: Date): string {
  return at.toISOString();
}

/** The task as handed to the handler: its outcome fields cleared, `started` set. */
export function startTask(task: Task, at: Date): Task {
  const { result: _r, msg: _m, ended: _e, ...rest } = task;
  return { ...rest, started: timestamp(at) };
}

/** The started task with the outcome written on it; the outcome's meta keys replace the task's. */
export function finishTask(task: Task, outcome: Outcome, at: Date): Task {
  const changes = outcome.meta ?? {};
  // Rewritten only when there is something to merge, so meta the worker did not touch keeps its exact text.
  const keys = Object.keys(changes).filter((k) => k !== "");
  const meta =
    keys.length === 0
      ? task.meta
      : encodeMeta(withMeta(parseMeta(task.meta), Object.fromEntries(keys.map((k) => [k, changes[k]]))));
  return {
    ...task,
    ...(meta ? { meta } : {}),
    ended: timestamp(at),
    result: outcome.result,
    msg: outcome.msg ?? "",
  };
}

/**
 * Checks what a handler returned, since JavaScript callers and casts can bypass the type; a bad outcome becomes an
 * error outcome that says so rather than a done message flowlord cannot read.
 */
export function checkOutcome(value: unknown): Outcome {
  if (typeof value !== "object" || value === null) {
    return {
      result: Result.error,
      msg: `handler returned ${value === null ? "null" : typeof value}, not an outcome`,
    };
  }
  const { result, msg, meta } = value as Record<string, unknown>;
  if (typeof result !== "string" || !results.has(result)) {
    return { result: Result.error, msg: `handler returned an unknown result ${JSON.stringify(result)}` };
  }
  const outcome: { result: Outcome["result"]; msg?: string; meta?: Record<string, string> } = {
    result: result as Outcome["result"],
  };
  if (msg !== undefined) outcome.msg = String(msg);
  if (typeof meta === "object" && meta !== null) {
    outcome.meta = Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)]));
  }
  return outcome;
}

/** The outcome of a handler that threw. */
export function errorOutcome(err: unknown): Outcome {
  return { result: Result.error, msg: err instanceof Error ? err.message : String(err) };
}

/**
 * The done message's id for JetStream dedupe: the same run of the same task gives the same id on every retry, and
 * another run (a retry by the taskmaster has a new `created`, a rerun a new `started`) gives another. The info is
 * part of it: siblings (the children of one parent, a batch) share id, type and created, and may start in the same
 * instant; without it the second one's done message would be taken for a repeat of the first and dropped.
 */
export function doneMsgId(task: Task): string {
  const key = [
    task.id ?? "",
    task.type,
    task.job ?? "",
    task.created ?? "",
    task.started ?? "",
    task.info,
  ].join("|");
  return createHash("sha256").update(key).digest("base64url");
}
