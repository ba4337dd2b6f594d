/**
 * A batch of the history being gathered: the messages read from the followed streams since the last commit, as the
 * records they make, and where each stream's reading got to (its cursor). Pure: the follower hands messages in and
 * writes the batch in one transaction with the positions it reaches.
 */
import { type AlertEntry, decodeEntry, type JournalEntry } from "../journal/index.ts";
import {
  actionOf,
  alertOp,
  doneOp,
  entryOp,
  impliedAlert,
  type StoredMessage,
  storedTimes,
  taskOp,
} from "./entries.ts";
import type { ProjectedBatch } from "./follow.ts";
import type { StreamPosition } from "./positions.ts";
import type { CacheOp } from "./types.ts";

/** Which of the followed streams a cursor reads: what its messages are. */
export type StreamRole = "tasks" | "failed" | "done" | "events" | "audit";

/** Where the reading of one stream is: committed (stored in the file) and read (in the batch being gathered). */
export interface Cursor {
  readonly role: StreamRole;
  readonly name: string;
  committed: StreamPosition;
  /** The last sequence read into the batch (the committed one when the batch has none of this stream). */
  read: number;
  /** Messages lost, the batch's gaps included. */
  lost: number;
  /** The stream's last sequence when this process first looked (messages up to it are a replay). */
  startLast: number;
}

export function cursor(role: StreamRole, name: string, committed: StreamPosition): Cursor {
  return { role, name, committed, read: committed.seq, lost: committed.lost, startLast: 0 };
}

export interface Gap {
  readonly stream: string;
  readonly from: number;
  readonly to: number;
}

export class Batch {
  readonly ops: CacheOp[] = [];
  readonly entries: JournalEntry[] = [];
  readonly alerts: (AlertEntry & { readonly at: string })[] = [];
  readonly gaps: Gap[] = [];
  tasks = 0;
  dones = 0;
  actions = 0;
  /** Messages taken (those that made no record included). */
  messages = 0;
  /** Bytes of the messages taken. */
  bytes = 0;
  /** Messages that were not what their stream holds (not a task, not a journal entry ...): skipped. */
  skipped = 0;
  /** Every message so far was stored before this process first looked. */
  replay = true;
  readonly #stored = storedTimes();

  /** Takes `m` of the stream `c` reads; a message at or before the cursor was taken already and is ignored. */
  take(c: Cursor, m: StoredMessage): void {
    if (m.seq <= c.read) return;
    if (m.seq > c.read + 1) this.skip(c, m.seq - 1);
    c.read = m.seq;
    this.messages++;
    this.bytes += m.data.byteLength;
    if (m.seq > c.startLast) this.replay = false;
    try {
      this.#record(c.role, m);
    } catch {
      this.skipped++;
    }
  }

  /** The stream `c` reads no longer holds its messages up to `to` (its max age or size): they are lost. */
  skip(c: Cursor, to: number): void {
    if (to <= c.read) return;
    this.gaps.push({ stream: c.name, from: c.read + 1, to });
    c.lost += to - c.read;
    c.read = to;
  }

  /** What the batch holds, for the follower's listeners; `rebuilding` makes it a replay whatever its messages. */
  projected(rebuilding: boolean): ProjectedBatch {
    const { tasks, dones, entries, alerts, actions } = this;
    return { tasks, dones, entries, alerts, actions, replay: this.replay || rebuilding };
  }

  get empty(): boolean {
    return this.messages === 0 && this.gaps.length === 0;
  }

  #record(role: StreamRole, m: StoredMessage): void {
    switch (role) {
      case "tasks":
      case "failed":
        this.ops.push(taskOp(m, this.#stored(m)));
        this.tasks++;
        return;
      case "done":
        this.ops.push(doneOp(m, this.#stored(m)));
        this.dones++;
        return;
      case "events": {
        const entry = decodeEntry(m.data);
        const op = entryOp(entry);
        if (op) this.ops.push(op);
        this.entries.push(entry);
        if (entry.type === "alert") this.alerts.push(entry);
        const implied = impliedAlert(entry);
        if (implied) {
          this.ops.push(alertOp(implied));
          this.alerts.push(implied);
        }
        return;
      }
      case "audit":
        this.ops.push({ op: "action", record: actionOf(m.data) });
        this.actions++;
        return;
    }
  }
}

/** The positions a batch reaches: each cursor that moved. */
export function reached(cursors: readonly Cursor[]): Map<string, StreamPosition> {
  const positions = new Map<string, StreamPosition>();
  for (const c of cursors)
    if (c.read !== c.committed.seq || c.lost !== c.committed.lost)
      positions.set(c.name, { seq: c.read, lost: c.lost });
  return positions;
}
