/**
 * The scheduler's side of the service: a slot fires through the engine; slots the catch-up rule skipped, and a slot
 * whose tasks cannot be published, are recorded in the journal; every scheduler event is reported as an engine event.
 */
import { AlertKinds, cronFailedMessage } from "../../internal/alert/index.ts";
import { asError, type Engine, type EngineEvents, type Journal } from "../../internal/engine/index.ts";
import { journalMsgId, type SkippedEntry, systemAlert } from "../../internal/journal/index.ts";
import type { ScheduleEvent, SchedulerDeps } from "../../internal/schedule/index.ts";

export function cronHooks(
  engine: Engine,
  journal: Journal,
): Pick<SchedulerDeps, "fire" | "recordSkipped" | "onEvent"> {
  const events = engine.events;
  return {
    fire: async (phase, slot) => {
      await engine.fireCron(phase, slot);
    },
    recordSkipped(e) {
      const entry: SkippedEntry = {
        type: "skipped",
        workflow: e.workflow,
        phase: e.phase,
        skipped: e.skipped,
        first: e.firstSkipped.toISOString(),
        last: e.lastSkipped.toISOString(),
      };
      return journal.record(entry, journalMsgId("skipped", e.workflow, e.phase, entry.first, entry.last));
    },
    onEvent(e) {
      scheduleEvent(events, e);
      if (e.type !== "cronFailed") return;
      // Once per slot, however often it is tried again (the entry's id is the slot's).
      const slot = e.slot.toISOString();
      const alert = systemAlert(AlertKinds.publishFailed, "cron", cronFailedMessage(cronWhere(e), e.error));
      journal
        .record(alert, journalMsgId("alert", AlertKinds.publishFailed, e.workflow, e.phase, slot))
        .catch((error: unknown) => events.emit({ type: "error", where: "journal", error: asError(error) }));
    },
  };
}

/** Which slot of which phase failed, as the log and the alert name it. */
function cronWhere(e: { workflow: string; phase: string; slot: Date }): string {
  return `cron ${e.workflow}: ${e.phase} at ${e.slot.toISOString()}`;
}

function scheduleEvent(events: EngineEvents, e: ScheduleEvent): void {
  if (e.type === "cronSkipped") {
    events.emit({
      type: "cronSkipped",
      workflow: e.workflow,
      phase: e.phase,
      skipped: e.skipped,
      ...(e.firstSkipped ? { firstSkipped: e.firstSkipped } : {}),
      ...(e.lastSkipped ? { lastSkipped: e.lastSkipped } : {}),
    });
  } else if (e.type === "cronFailed") {
    events.emit({ type: "error", where: cronWhere(e), error: e.error });
  } else if (e.type === "cronStoreFailed") {
    events.emit({
      type: "error",
      where: `cron slot store (${e.operation}) for ${e.workflow}: ${e.phase}`,
      error: e.error,
    });
  }
  // cronFired comes from the engine, which knows how many tasks the slot emitted.
}
