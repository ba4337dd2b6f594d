/**
 * The cache as the service uses it: records are collected in the main thread and posted in batches to the writing
 * thread (`worker.ts`), which owns every SQLite write, so the cost of the cache on the hot path is an array push.
 * Reads (the dashboard's queries, the backup's `db.backup()`) use a read-only connection of the main thread, which
 * WAL lets run beside the writer.
 */
import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import type { CacheOp } from "./queue.ts";
import type { CacheStore } from "./store.ts";
import type { CacheState, RecycleCounts } from "./types.ts";
import type { FromWriter, ToWriter, WriterData } from "./worker.ts";

/** Where records go: the store itself, or the threaded cache. */
export type CacheSink = Pick<
  CacheStore,
  | "taskEmitted"
  | "taskDone"
  | "fileArrived"
  | "alertRaised"
  | "messageRejected"
  | "actionTaken"
  | "phasesLoaded"
  | "flush"
>;

export interface ThreadedCache extends CacheSink {
  state(): CacheState;
  /** A read-only connection for queries and backups, or null while the file cannot be read. */
  database(): Database.Database | null;
  recycle(): Promise<RecycleCounts>;
  /** The writer reopens the file (after a mount came back); the read connection follows. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export interface ThreadedCacheOptions extends WriterData {
  /** How long records wait in the main thread before they are posted (default 20 ms). */
  readonly postMs?: number;
  /** Post at once when this many wait (default 1 000). */
  readonly postRows?: number;
  readonly onState?: (state: CacheState) => void;
}

/**
 * The writing thread: its bundle beside ours (`cache-worker.mjs`, built with `main.mjs`), or, when running from the
 * TypeScript sources (tests), `worker.ts` loaded through tsx, which a worker thread has to register for itself.
 */
function startWriter(workerData: WriterData): Worker {
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./cache-worker.mjs", import.meta.url), { workerData });
  const source = JSON.stringify(new URL("./worker.ts", import.meta.url).href);
  const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${source}); });`;
  return new Worker(boot, { eval: true, workerData });
}

export function startThreadedCache(options: ThreadedCacheOptions): ThreadedCache {
  const data: WriterData = {
    path: options.path,
    retentionMs: options.retentionMs,
    ...(options.maxPending === undefined ? {} : { maxPending: options.maxPending }),
    ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
  };
  const worker = startWriter(data);
  worker.unref();
  const postMs = options.postMs ?? 20;
  const postRows = options.postRows ?? 1000;
  let state: CacheState = { mode: "ok", reason: "", pending: 0, dropped: 0, path: options.path };
  let buffer: CacheOp[] = [];
  // Posted and not yet taken by the writer: while it is busy in a transaction, posts wait in its port, outside any
  // heap limit. Past `maxPending` the records are dropped (and counted) rather than held: memory stays bounded,
  // the service is never slowed, and the streams still hold every task (a rebuild brings them back).
  const maxPending = options.maxPending ?? 20_000;
  let posted = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let reader: Database.Database | null = null;
  let nextId = 0;
  let closed = false;
  const waiting = new Map<number, (result: unknown) => void>();

  const post = () => {
    clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0 || closed) return;
    const ops = buffer;
    buffer = [];
    posted += ops.length;
    worker.postMessage({ kind: "records", ops } satisfies ToWriter);
  };
  const push = (op: CacheOp) => {
    if (closed) return;
    if (posted + buffer.length >= maxPending) {
      dropped++;
      return;
    }
    buffer.push(op);
    if (buffer.length >= postRows) post();
    else timer ??= setTimeout(post, postMs).unref();
  };
  const command = (kind: "flush" | "recycle" | "reopen" | "close"): Promise<unknown> => {
    post();
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      worker.postMessage({ kind, id } satisfies ToWriter);
    });
  };
  const dropReader = () => {
    reader?.close();
    reader = null;
  };

  worker.on("message", (message: FromWriter) => {
    if (message.kind === "took") {
      posted -= message.count;
      return;
    }
    if (message.kind === "done") {
      waiting.get(message.id)?.(message.result);
      waiting.delete(message.id);
      return;
    }
    const before = state;
    state = message.state;
    // A file moved aside or reopened is another file: the read connection must not hold on to the old one.
    if (state.movedAside !== before.movedAside || state.mode !== before.mode) dropReader();
    if (
      state.mode !== before.mode ||
      state.reason !== before.reason ||
      state.movedAside !== before.movedAside
    )
      options.onState?.(state);
  });
  worker.on("error", (err) => {
    state = { ...state, mode: "degraded", reason: `the cache writer stopped: ${err.message}` };
    options.onState?.(state);
  });

  return {
    taskEmitted: (record) => push({ op: "task", record }),
    taskDone: (record) => push({ op: "done", record }),
    fileArrived: (record) => push({ op: "file", record }),
    alertRaised: (record) => push({ op: "alert", record }),
    messageRejected: (record) => push({ op: "rejected", record }),
    actionTaken: (record) => push({ op: "action", record }),
    phasesLoaded: (records) => push({ op: "phases", records }),
    async flush() {
      if (!closed) await command("flush");
    },
    state: () => ({
      ...state,
      pending: state.pending + posted + buffer.length,
      dropped: state.dropped + dropped,
    }),
    database() {
      if (reader || state.mode !== "ok" || !existsSync(options.path)) return reader;
      try {
        reader = new Database(options.path, { readonly: true, fileMustExist: true });
      } catch {
        reader = null;
      }
      return reader;
    },
    async recycle() {
      return (await command("recycle")) as RecycleCounts;
    },
    async reopen() {
      dropReader();
      await command("reopen");
    },
    async close() {
      if (closed) return;
      await command("close");
      closed = true;
      clearTimeout(timer);
      dropReader();
      await worker.terminate();
    },
  };
}
