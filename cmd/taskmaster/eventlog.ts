/**
 * Engine events as log lines: one line per thing a person watching the service wants to see. Published tasks are
 * logged at debug (there can be tens of thousands a second); failures and decisions at info and above.
 *
 * A field is never named like one pino writes itself (`msg`, `level`, `time`, `pid`, `hostname`): a line would carry
 * the key twice, which strict log pipelines reject. So a task's own message is `task_msg`.
 */
import type { Logger } from "pino";
import type { EngineEvents } from "../../internal/engine/index.ts";
import { formatProblem } from "../../internal/errors/index.ts";
import { formatDuration } from "../../internal/rule/index.ts";
import { taskName } from "../../internal/task/index.ts";

export function logEvents(events: EngineEvents, log: Logger): () => void {
  const offs = [
    events.on("taskPublished", (e) => {
      if (!log.isLevelEnabled("debug")) return;
      const t = e.emission.task;
      log.debug(
        { subject: e.subject, id: t.id, info: t.info, kind: e.emission.kind, duplicate: e.duplicate },
        "task published",
      );
    }),
    events.on("taskDone", (e) => {
      if (!log.isLevelEnabled("debug")) return;
      log.debug(
        { task: taskName(e.task), id: e.task.id, result: e.task.result, task_msg: e.task.msg },
        "task done",
      );
    }),
    events.on("retryScheduled", (e) =>
      log.info(
        { task: taskName(e.task), id: e.task.id, due: e.dueAt.toISOString(), delay_ms: e.delayMs },
        "retry scheduled",
      ),
    ),
    events.on("taskFailed", (e) =>
      log.warn({ task: taskName(e.task), id: e.task.id, task_msg: e.task.msg }, "task failed"),
    ),
    events.on("messageRejected", (e) =>
      log.warn({ subject: e.subject, reason: e.reason, data: e.data }, "message rejected"),
    ),
    events.on("alertRaised", (e) =>
      log.warn({ kind: e.alert.kind, task: taskName(e.alert.task) }, e.alert.message),
    ),
    events.on("planNote", (e) => log.debug(e.note)),
    events.on("fileArrived", (e) => {
      // A file is rarer than a task and people look for "did my file arrive": info, except repeats.
      const fields = {
        path: e.file.path,
        size: e.file.size,
        modified: e.file.modified,
        source: e.file.source,
        status: e.status,
        tasks: e.tasks.map((t) => `${t.name} ${t.id}`),
        ...(e.reason ? { reason: e.reason } : {}),
      };
      log[e.status === "repeat" ? "debug" : "info"](fields, `file ${e.status}`);
    }),
    events.on("fileWatchProblem", (e) =>
      log.warn({ dir: e.dir, ...(e.path ? { path: e.path } : {}) }, e.message),
    ),
    events.on("filesScanned", (e) =>
      log.debug(
        { started: e.startedAt.toISOString(), roots: e.roots, files: e.files, new_files: e.newFiles },
        "watched paths scanned",
      ),
    ),
    events.on("cronFired", (e) =>
      log.info(
        { workflow: e.workflow, phase: e.phase, slot: e.slot.toISOString(), tasks: e.tasks },
        "cron fired",
      ),
    ),
    events.on("cronSkipped", (e) =>
      log.warn(
        { workflow: e.workflow, phase: e.phase, skipped: e.skipped, first: e.firstSkipped?.toISOString() },
        "missed cron slots skipped by the catch-up rule",
      ),
    ),
    events.on("workflowsReloaded", (e) =>
      log.info({ workflows: e.workflows, phases: e.phases, changed: e.changed }, "workflows reloaded"),
    ),
    events.on("workflowsRejected", (e) => {
      const errors = e.problems.filter((p) => p.severity === "error").map(formatProblem);
      log.error({ problems: errors }, "workflow reload refused; the last good workflows stay in use");
    }),
    events.on("publishRetried", (e) =>
      log.debug({ subject: e.subject, attempt: e.attempt, reason: e.reason }, "publish retried"),
    ),
    events.on("workStuck", (e) =>
      log.error(
        { kind: e.kind, subject: e.subject, seq: e.seq, held_ms: e.heldMs, stuck_after_ms: e.stuckAfterMs },
        "a message has been worked on past engine.stuck_after: what it causes is not stored yet",
      ),
    ),
    events.on("natsStatus", (e) => {
      const level = e.status === "reconnect" || e.status === "close" ? "info" : "warn";
      log[level]({ status: e.status, server: e.detail }, `nats ${e.status}`);
    }),
    events.on("natsConnectFailed", (e) =>
      log.warn(
        {
          attempt: e.attempt,
          problem: e.problem,
          reason: e.reason,
          servers: e.servers,
          retry_in_ms: e.retryInMs,
          next_try: new Date(Date.now() + e.retryInMs).toISOString(),
        },
        `cannot connect to NATS: ${e.reason}; trying again in ${formatDuration(e.retryInMs)}`,
      ),
    ),
    events.on("cacheRecovered", (e) => log.warn({ how: e.how }, e.detail)),
    events.on("backupTaken", (e) => log.info({ name: e.name, bytes: e.bytes, ms: e.ms }, "cache backed up")),
    events.on("backupFailed", (e) =>
      log.warn(
        { attempt: e.attempt, retry_in_ms: e.retryInMs, err: e.error },
        `cache backup failed: ${e.error.message}`,
      ),
    ),
    events.on("backupFailing", (e) =>
      log.error(
        { since: e.since, attempts: e.attempts, err: e.error },
        `cache backups keep failing: ${e.error.message}`,
      ),
    ),
    events.on("backupRecovered", () => log.info("cache backups work again")),
    events.on("error", (e) => log.error({ where: e.where, err: e.error }, e.error.message)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
