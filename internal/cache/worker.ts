/**
 * The cache's writing thread: it owns the store (and so every SQLite write), so a burst of tasks costs the service's
 * main thread only the posting of records, never a transaction. It takes batches of records and commands from the
 * main thread and answers with the store's state. Started by `thread.ts`; nothing here runs in the main thread.
 *
 * Batches are handed to the store one at a time, each once the previous one is written: what waits meanwhile stays
 * in the spool (`spool.ts`), or the bytes it came as (`wire.ts`), not records in the store's queue; and while
 * the main thread says so (`holdFor`), the next batch waits. Commands wait their turn behind the batches posted
 * before them, so a `flush` writes everything recorded before it.
 */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { getHeapSpaceStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { Fifo } from "../fifo/index.ts";
import { type CacheOp, writerBatch } from "./queue.ts";
import { type Spooled, SpoolReader } from "./spool.ts";
import { type CacheStore, createCacheStore } from "./store.ts";
import { dataTimeOf } from "./taskrecord.ts";
import { readBatch } from "./wire.ts";

/** What the main thread sends. */
export type ToWriter =
  | { readonly kind: "records"; readonly count: number; readonly bytes: Uint8Array }
  /** A batch the main thread appended to the spool (`spool.ts`). */
  | ({ readonly kind: "spooled"; readonly count: number } & Spooled)
  | { readonly kind: "flush" | "recycle" | "reopen" | "close"; readonly id: number };

/** What the writer answers. */
export type FromWriter =
  | { readonly kind: "state"; readonly state: ReturnType<CacheStore["state"]> }
  | { readonly kind: "done"; readonly id: number; readonly result?: unknown }
  /**
   * A batch of records was taken into the store's queue (so the main thread knows how far behind it is), and the
   * writer's heap as it took it.
   */
  | { readonly kind: "took"; readonly count: number; readonly unreadable: number; readonly heap: WriterHeap }
  /** The writer's thread id (Linux), so the main thread can set its scheduling policy. */
  | { readonly kind: "thread"; readonly tid: number };

/** The writer thread's old generation after a batch, and how many times it collected it (`collectIfGrown`). */
export interface WriterHeap {
  /** Bytes in use in its old space. */
  readonly oldSpace: number;
  readonly collections: number;
}

/**
 * The writer collects its old generation after a write that leaves more than this many MiB in it (default 8). Its
 * records are queued for a transaction of 5 000 rows (`writerBatch`), so most of them outlive two young-generation
 * collections and are moved to the old generation, where they die; V8 lets that grow to several times the 4.5 MiB the
 * writer keeps alive before it collects. Collected at 8 MiB, the highest RSS with 100 000 tasks in flight was
 * 139.7 and 142.9 MiB in `make bench`, against 148.6 and 149.6 MiB without (runs alternating), and the cache caught up
 * as fast. A collection takes a few ms of the writer's thread (it holds about 5 MiB), none of the service's.
 */
export const writerOldSpaceMb = 8;

export interface WriterData {
  readonly path: string;
  readonly retentionMs: number;
  readonly maxPending?: number;
  readonly retryMs?: number;
  /** One Int32 the main thread sets to 1 while the writer should wait before its next batch (`holdFor`). */
  readonly hold?: SharedArrayBuffer;
  /** `writerOldSpaceMb` unless given; 0 never collects. */
  readonly oldSpaceMb?: number;
}

const oldSpaceUsed = () =>
  getHeapSpaceStatistics().find((space) => space.space_name === "old_space")?.space_used_size ?? 0;

/**
 * A full collection when the old space holds more than `limit` bytes. `gc` is there because the main thread sets
 * `--expose-gc` before it starts this thread (`thread.ts`); without it nothing is collected here.
 */
function collectIfGrown(limit: number): boolean {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect || limit <= 0 || oldSpaceUsed() <= limit) return false;
  collect();
  return true;
}

/**
 * The writer runs at nice 19 (Linux: a thread is a task of its own, with its own nice value), and tells the main
 * thread its thread id, so that it can set its scheduling policy (`priority.ts`): a starved thread could not.
 * Elsewhere, or when not allowed, it runs at normal priority.
 */
function yieldToService(send: (message: FromWriter) => void): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return;
    setPriority(tid, 19);
    send({ kind: "thread", tid });
  } catch {
    // Not Linux, or no /proc: the writer shares the CPU as any thread does.
  }
}

function run(): void {
  const port = parentPort;
  if (!port) return;
  const data = workerData as WriterData;
  const send = (message: FromWriter) => port.postMessage(message);
  yieldToService(send);
  const store = createCacheStore({
    path: data.path,
    retentionMs: data.retentionMs,
    batchRows: writerBatch,
    ...(data.maxPending === undefined ? {} : { maxPending: data.maxPending }),
    ...(data.retryMs === undefined ? {} : { retryMs: data.retryMs }),
    onState: (state) => send({ kind: "state", state }),
  });
  const apply = (op: CacheOp) => {
    if (op.op === "task")
      store.taskEmitted(
        op.record.dataTime === undefined ? { ...op.record, dataTime: dataTimeOf(op.record) } : op.record,
      );
    else if (op.op === "done") store.taskDone(op.record);
    else if (op.op === "file") store.fileArrived(op.record);
    else if (op.op === "alert") store.alertRaised(op.record);
    else if (op.op === "rejected") store.messageRejected(op.record);
    else if (op.op === "action") store.actionTaken(op.record);
    else store.phasesLoaded(op.records);
  };
  const spool = new SpoolReader();
  const command = async (kind: "flush" | "recycle" | "reopen" | "close", id: number) => {
    const answer = (result?: unknown) => {
      send({ kind: "state", state: store.state() });
      send({ kind: "done", id, result });
    };
    if (kind === "flush") await store.flush().then(() => answer());
    else if (kind === "recycle") await store.flush().then(() => answer(store.recycle()));
    else if (kind === "reopen") await store.reopen().then(() => answer());
    else
      await store.close().then(() => {
        spool.finish();
        answer();
        port.close();
      });
  };

  const oldSpaceLimit = (data.oldSpaceMb ?? writerOldSpaceMb) * 1024 * 1024;
  let collections = 0;

  const held = data.hold ? new Int32Array(data.hold) : undefined;
  const whileHeld = async () => {
    while (held && Atomics.load(held, 0) === 1) await new Promise((r) => setTimeout(r, 20));
  };

  // In arrival order.
  const inbox = new Fifo<ToWriter>();
  let working = false;
  const work = async () => {
    working = true;
    try {
      for (let message = inbox.shift(); message; message = inbox.shift()) {
        if (message.kind === "records" || message.kind === "spooled") {
          await whileHeld();
          let ops: CacheOp[] = [];
          let unreadable = 0;
          try {
            ({ ops, unreadable } = readBatch(
              message.kind === "records" ? message.bytes : spool.read(message),
            ));
          } catch {
            // Not a batch `wire.ts` wrote, or its spool file was removed: none of its records can be written.
            unreadable = message.count;
          }
          for (const op of ops) apply(op);
          send({
            kind: "took",
            count: message.count,
            unreadable,
            heap: { oldSpace: oldSpaceUsed(), collections },
          });
          // While degraded the store keeps (bounded) what it cannot write and retries on its own timer.
          const state = store.state();
          if (state.mode === "ok" && state.pending >= writerBatch) {
            await store.flush();
            if (collectIfGrown(oldSpaceLimit)) collections++;
          }
        } else await command(message.kind, message.id);
      }
    } finally {
      working = false;
    }
  };
  port.on("message", (message: ToWriter) => {
    inbox.push(message);
    if (!working) void work();
  });
}

run();
