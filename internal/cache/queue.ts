/**
 * The records waiting to be written, oldest first, bounded: when full, the oldest are dropped and counted, because
 * memory must not grow without end while the disk is full. A batch is read with `peek` and only removed with
 * `discard` once its transaction committed, so a failed write loses nothing.
 */
import type {
  ActionRecord,
  AlertRecord,
  DoneRecord,
  FileRecord,
  PhaseRecord,
  RejectedRecord,
  TaskRecord,
} from "./types.ts";

/** One thing to write. A phase load is one op however many phases it holds: it replaces them all at once. */
export type CacheOp =
  | { readonly op: "task"; readonly record: TaskRecord }
  | { readonly op: "done"; readonly record: DoneRecord }
  | { readonly op: "file"; readonly record: FileRecord }
  | { readonly op: "alert"; readonly record: AlertRecord }
  | { readonly op: "rejected"; readonly record: RejectedRecord }
  | { readonly op: "action"; readonly record: ActionRecord }
  | { readonly op: "phases"; readonly records: readonly PhaseRecord[] };

/**
 * The cache's writing thread (`worker.ts`) writes its store before it takes more batches while the store holds this
 * many records, and the store writes one transaction when that many wait (else after its `flushMs`). Tasks are keyed
 * by a hash, so each row lands on its own page of the key index and a commit writes every page it touched: records
 * written a few thousand to a transaction share those pages, and a task and its done in the same transaction are
 * written as one row. Measured with 60 000 tasks (this process's CPU, records made and queued included), a task and
 * its done cost about 23 µs when the done followed a few records later, in either order, and 31 µs when it came in
 * a later transaction.
 */
export const writerBatch = 5000;

/** Dropped slots are only released when the array is compacted, once they are this many and half of it. */
const compactAfter = 1024;

export class OpQueue {
  private items: CacheOp[] = [];
  private head = 0;
  private droppedCount = 0;
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Records dropped because the queue was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  push(op: CacheOp): void {
    this.items.push(op);
    if (this.size > this.capacity) {
      this.head++;
      this.droppedCount++;
      this.compact();
    }
  }

  /** The oldest `n` ops, left in the queue. */
  peek(n: number): CacheOp[] {
    return this.items.slice(this.head, this.head + n);
  }

  /** Removes the oldest `n` ops (the batch just written). */
  discard(n: number): void {
    this.head = Math.min(this.items.length, this.head + n);
    this.compact();
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= compactAfter && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
