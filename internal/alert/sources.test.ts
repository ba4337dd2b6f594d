import { describe, expect, it } from "vitest";
import { alertOf } from "./sources.ts";

const at = new Date("2026-11-23T12:00:00Z");

describe("what becomes an alert", () => {
  it("maps the events that need a person, with a message that says what happened", () => {
    const kinds = [
      alertOf({ type: "messageRejected", subject: "done", reason: "not valid JSON", data: "{" }, at),
      alertOf({ type: "cronSkipped", workflow: "w.toml", phase: "tick", skipped: 3 }, at),
      alertOf({ type: "cacheState", mode: "degraded", reason: "disk full", pending: 1, dropped: 0 }, at),
      alertOf({ type: "cacheState", mode: "ok", reason: "", pending: 0, dropped: 0 }, at),
      alertOf(
        { type: "backupFailing", since: "2026-11-23T11:00:00Z", attempts: 3, error: new Error("no route") },
        at,
      ),
      alertOf({ type: "publishRetried", subject: "load", attempt: 5, reason: "no ack in time" }, at),
      alertOf({ type: "publishRetried", subject: "load", attempt: 2, reason: "no ack in time" }, at),
      alertOf({ type: "natsStatus", status: "disconnect", detail: "" }, at),
      alertOf(
        { type: "workStuck", kind: "done", subject: "done", seq: 42, heldMs: 301_000, stuckAfterMs: 300_000 },
        at,
      ),
    ].map((a) => (a ? `${a.kind}: ${a.message}` : null));
    expect(kinds).toEqual([
      "rejected-message: message rejected on done: not valid JSON",
      "cron-skipped: w.toml: tick: 3 missed cron slot(s) skipped by the catch-up rule",
      "cache-degraded: disk full",
      null,
      "backup-failing: cache backups keep failing (3 attempts since 2026-11-23T11:00:00Z): no route",
      "publish-failed: a task for load is not stored yet after 5 tries (no ack in time); still trying",
      null,
      null,
      "engine-stuck: a done message (done #42) has been worked on for 5m1s, past engine.stuck_after (5m): what it causes is not stored yet; /readyz says not ready until it is",
    ]);
  });

  it("names the task, its phase and data time for task alerts", () => {
    const task = {
      type: "load",
      job: "",
      info: "?day=2026-11-22",
      id: "t1",
      meta: "cron=2026-11-22T05&job=eu",
    };
    const a = alertOf(
      { type: "alertRaised", alert: { kind: "retries-exhausted", task, message: "load failed" } },
      at,
    );
    expect(a).toMatchObject({ taskType: "load", job: "eu", taskId: "t1", message: "load failed" });
    expect(a?.dataTime?.toISOString()).toBe("2026-11-22T05:00:00.000Z");
  });
});
