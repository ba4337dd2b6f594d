/**
 * The cache as a projection of the engine's events: each event becomes a record handed to the store, which only
 * queues it (the store writes in batches, off the hot path). Nothing here blocks or throws at the engine.
 *
 * A task is recorded when it is stored by its stream (`taskPublished`), under its message id: the id is unique per
 * emitted task (children sharing a task id, batch siblings of the same second and each retry all differ), and the
 * same id a replay of the tasks stream finds in the `Nats-Msg-Id` header. Tasks and dones are handed over as the
 * bytes published and received, for the writing thread to read (`wire.ts`). Alerts are recorded by the alert
 * service, which also raises those no single event carries (a task left unfinished).
 */
import type { EngineEvents } from "../engine/index.ts";
import { phaseEntries } from "../journal/index.ts";
import type { Snapshot } from "../workflow/index.ts";
import type { ThreadedCache } from "./thread.ts";
import type { PhaseRecord, PhaseStatus } from "./types.ts";

export interface ProjectionOptions {
  readonly now?: () => Date;
}

/** Where the projection's records go: the threaded cache. */
export type ProjectionSink = Pick<
  ThreadedCache,
  "taskPublished" | "doneReceived" | "fileArrived" | "messageRejected" | "actionTaken"
>;

/** Subscribes the store to the events; returns the unsubscribe. */
export function projectEvents(
  events: EngineEvents,
  store: ProjectionSink,
  options: ProjectionOptions = {},
): () => void {
  // Every record of a burst carries the time it was recorded: one text per millisecond, not a Date and a
  // toISOString per record.
  const clock = options.now;
  const nowMs = clock ? () => clock().getTime() : Date.now;
  let lastMs = Number.NaN;
  let lastText = "";
  const nowText = () => {
    const ms = nowMs();
    if (ms !== lastMs) {
      lastMs = ms;
      lastText = new Date(ms).toISOString();
    }
    return lastText;
  };
  const offs = [
    events.on("taskPublished", (e) => {
      if (e.duplicate) return; // stored before: recorded then
      const phase = e.emission.phase;
      const task = {
        key: e.msgId,
        kind: e.emission.kind,
        subject: e.subject,
        workflow: phase?.workflow ?? "",
        phase: phase?.phase ?? "",
        published: nowText(),
      };
      store.taskPublished(task, e.data);
    }),
    events.on("taskDone", (e) => store.doneReceived(e.data, nowText())),
    events.on("fileArrived", (e) =>
      store.fileArrived({
        path: e.file.path,
        size: e.file.size,
        modified: e.file.modified,
        checksum: e.file.checksum,
        source: e.file.source,
        format: e.file.format,
        status: e.status,
        dataTime: e.dataTime?.toISOString() ?? "",
        taskIds: e.tasks.map((t) => t.id),
        taskNames: e.tasks.map((t) => t.name),
        reason: e.reason,
        received: nowText(),
      }),
    ),
    events.on("messageRejected", (e) =>
      store.messageRejected({
        subject: e.subject,
        reason: e.reason,
        data: e.data,
        received: nowText(),
      }),
    ),
    events.on("actionTaken", (e) =>
      store.actionTaken({
        action: e.action,
        actor: e.actor,
        detail: e.detail,
        outcome: e.outcome,
        tasks: e.tasks,
        at: e.at.toISOString(),
      }),
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** The phases of a snapshot as the Workflows view lists them, each with its validation status. */
export function phaseRecords(snapshot: Snapshot, loaded: Date): PhaseRecord[] {
  const at = loaded.toISOString();
  return phaseEntries(snapshot).map((p) => ({ ...p, status: p.status as PhaseStatus, loaded: at }));
}
