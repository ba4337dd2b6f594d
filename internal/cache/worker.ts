/**
 * The cache's writing thread: it owns the store (and so every SQLite write), so a burst of tasks costs the service's
 * main thread only the posting of records, never a transaction. It takes batches of records and commands from the
 * main thread and answers with the store's state. Started by `thread.ts`; nothing here runs in the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { dataTimeOf } from "./projection.ts";
import type { CacheOp } from "./queue.ts";
import { type CacheStore, createCacheStore } from "./store.ts";

/** What the main thread sends. */
export type ToWriter =
  | { readonly kind: "records"; readonly ops: readonly CacheOp[] }
  | { readonly kind: "flush" | "recycle" | "reopen" | "close"; readonly id: number };

/** What the writer answers. */
export type FromWriter =
  | { readonly kind: "state"; readonly state: ReturnType<CacheStore["state"]> }
  | { readonly kind: "done"; readonly id: number; readonly result?: unknown }
  /** A batch of records was taken into the store's queue (so the main thread knows how far behind it is). */
  | { readonly kind: "took"; readonly count: number };

export interface WriterData {
  readonly path: string;
  readonly retentionMs: number;
  readonly maxPending?: number;
  readonly retryMs?: number;
}

function run(): void {
  const port = parentPort;
  if (!port) return;
  const data = workerData as WriterData;
  const send = (message: FromWriter) => port.postMessage(message);
  const store = createCacheStore({
    path: data.path,
    retentionMs: data.retentionMs,
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
  port.on("message", (message: ToWriter) => {
    if (message.kind === "records") {
      for (const op of message.ops) apply(op);
      send({ kind: "took", count: message.ops.length });
      return;
    }
    const { id } = message;
    const answer = (result?: unknown) => {
      send({ kind: "state", state: store.state() });
      send({ kind: "done", id, result });
    };
    if (message.kind === "flush") void store.flush().then(() => answer());
    else if (message.kind === "recycle") void store.flush().then(() => answer(store.recycle()));
    else if (message.kind === "reopen") void store.reopen().then(() => answer());
    else
      void store.close().then(() => {
        answer();
        port.close();
      });
  });
}

run();
