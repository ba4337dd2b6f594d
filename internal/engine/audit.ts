/**
 * The audit trail of people's actions (who, what, when, outcome): one message per action on the audit stream, which
 * the history projects like any other stream. The same action by the same person in the same millisecond is stored
 * once (its message id is a hash of all of it).
 */
import { createHash } from "node:crypto";
import type { ActionEntry } from "./events.ts";
import type { Outbox } from "./outbox.ts";

export const auditStream = "TASKMASTER_AUDIT";
export const auditSubject = "taskmaster.audit";

/** An action as stored: its detail as JSON text, and when it was taken. */
export interface ActionRecord {
  readonly action: string;
  readonly actor: string;
  readonly detail: string;
  readonly outcome: string;
  readonly tasks: number;
  readonly at: Date;
}

/** The record of `entry` taken at `at`, the message that stores it, and that message's id. */
export function auditMessage(
  entry: ActionEntry,
  at: Date,
): { record: ActionRecord; data: Uint8Array; msgId: string } {
  const { action, actor, outcome, tasks } = entry;
  const record: ActionRecord = {
    action,
    actor,
    detail: JSON.stringify(entry.detail ?? {}),
    outcome,
    tasks,
    at,
  };
  const data = new TextEncoder().encode(JSON.stringify({ ...record, at: at.toISOString() }));
  const id = `audit|${at.toISOString()}|${actor}|${action}|${record.detail}`;
  return { record, data, msgId: createHash("sha256").update(id).digest("hex") };
}

/** Stores the action on the audit stream; resolves with its record once the stream has it. */
export async function recordAction(outbox: Outbox, entry: ActionEntry, at: Date): Promise<ActionRecord> {
  const { record, data, msgId } = auditMessage(entry, at);
  await outbox.publish(auditSubject, data, msgId);
  return record;
}
