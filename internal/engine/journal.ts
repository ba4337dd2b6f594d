/**
 * The journal port: where the engine records the facts no other stream holds (alerts, what a file did, cron slots,
 * refused messages), as entries of `internal/journal`. Like the `Outbox` it is passed in; the service's publishes
 * each entry to the events stream through the pipelined Publisher. Without one (unit tests, `taskmaster plan`)
 * nothing is recorded.
 *
 * Every entry goes with a message id made from what identifies its fact (the input's stream sequence, the slot ...),
 * so a redelivered input, or a second engine given the same input, records it once.
 */
import type { Inbound } from "../bus/index.ts";
import type { Clock } from "../clock/index.ts";
import {
  encodeEntry,
  type JournalFact,
  journalMsgId,
  journalSubject,
  journalSubjectPrefix,
  maxRejectedData,
  systemAlert,
  taskAlert,
} from "../journal/index.ts";
import type { PlannedAlert } from "../plan/index.ts";
import { asError, type EngineEvents } from "./events.ts";
import { checkSize, isRefusedForGood, type Outbox } from "./outbox.ts";

export interface Journal {
  /** Resolves once the entry is stored (or was already: the same `msgId`). */
  record(fact: JournalFact, msgId: string): Promise<void>;
}

/** A journal that publishes each entry on its type's subject, stamped with the clock's time. */
export function publishingJournal(outbox: Outbox, clock: Clock): Journal {
  return {
    record(fact, msgId) {
      try {
        const data = encodeEntry(fact, clock.now());
        checkSize(outbox, data, () => `the ${fact.type} entry of the journal`);
        return outbox.publish(journalSubject(fact.type), data, msgId).then(() => undefined);
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };
}

/**
 * Records a plan's alerts; `cause` names what the plan was made for (the done message's subject and sequence, the
 * cron slot), so each alert's id is the same whenever that cause is handled again.
 */
export function recordAlerts(
  journal: Journal,
  alerts: readonly PlannedAlert[],
  ...cause: readonly (string | number)[]
): Promise<void> {
  const recorded = alerts.map((a, i) =>
    journal.record(taskAlert(a.kind, a.task, a.message), journalMsgId("alert", ...cause, i)),
  );
  return Promise.all(recorded).then(() => undefined);
}

const decoder = new TextDecoder();

/** The start of a refused message as its event carries it (the entry keeps more). */
function clip(s: string): string {
  return s.length > 500 ? `${s.slice(0, 497)}...` : s;
}

/**
 * A message that can never be used (not a task, not a file notice, its consequences refused for good): recorded as
 * a `rejected` entry, then terminated, so it is not redelivered forever, and reported. When the entry cannot be
 * stored for now the promise rejects and the message is left to come back.
 */
export function rejectMessage(
  msg: Inbound,
  reason: string,
  journal: Journal | undefined,
  events: EngineEvents,
): Promise<void> {
  // Its start is enough for the record (a message may be near 1 MiB).
  const text = decoder.decode(msg.data.subarray(0, maxRejectedData));
  const terminate = () => {
    try {
      msg.term(); // without a reason: 2.9 ignores "+TERM <reason>"
    } catch {
      // The connection is gone; the server redelivers after ack_wait, and the entry is recorded once.
    }
    events.emit({ type: "messageRejected", subject: msg.subject, reason, data: clip(text) });
  };
  if (journal === undefined) {
    terminate();
    return Promise.resolve();
  }
  const fact: JournalFact = { type: "rejected", subject: msg.subject, reason, data: text };
  return journal.record(fact, journalMsgId("rejected", msg.subject, msg.seq)).then(terminate, (err) => {
    if (!isRefusedForGood(err)) throw err;
    // The events stream will not take it either: the message is still of no use.
    events.emit({ type: "error", where: "journal", error: asError(err) });
    terminate();
  });
}

/** The alert kind of a message that is not stored after many tries, or a cron slot whose tasks cannot be. */
export const publishFailedKind = "publish-failed";

/** The try of a publish still not stored at which a person is told (at least 25 s after the first). */
export const publishAlertAttempt = 5;

/** What the alert of a message not stored after `publishAlertAttempt` tries says. */
export function notStoredMessage(e: { subject: string; attempt: number; reason: string }): string {
  return `a task for ${e.subject} is not stored yet after ${e.attempt} tries (${e.reason}); still trying`;
}

/**
 * Records a message not stored after `publishAlertAttempt` tries as a `publish-failed` alert, once per message. Not
 * an entry of the journal itself: its alert would wait behind the same trouble, and raise another.
 */
export function recordNotStored(
  journal: Journal,
  events: EngineEvents,
  e: { subject: string; attempt: number; reason: string; msgId: string },
): void {
  if (e.attempt !== publishAlertAttempt || e.subject.startsWith(journalSubjectPrefix)) return;
  const alert = systemAlert(publishFailedKind, e.subject, notStoredMessage(e));
  journal
    .record(alert, journalMsgId("alert", publishFailedKind, e.msgId))
    .catch((error: unknown) => events.emit({ type: "error", where: "journal", error: asError(error) }));
}
