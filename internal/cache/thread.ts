/**
 * The cache as the service uses it: records are collected in the main thread and posted in batches to the writing
 * thread (`worker.ts`), which owns every SQLite write, so the cost of the cache on the hot path is a copy of the bytes
 * of each task published and each done received (a batch travels as one run of bytes: `wire.ts`, spooled to a file
 * beside the cache: `spool.ts`).
 * Reads (the dashboard's queries, the backup's `db.backup()`) use a read-only connection of the main thread, which
 * WAL lets run beside the writer.
 */
import { existsSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import {
  canLeaveIdle,
  defaultPolicyLimits,
  holdFor,
  type PolicyLimits,
  policyFor,
  setThreadPolicy,
  spooledPolicyLimits,
  type WriterPolicy,
} from "./priority.ts";
import { SpoolWriter, spoolDir } from "./spool.ts";
import type { CacheStore } from "./store.ts";
import type { CacheState, RecycleCounts } from "./types.ts";
import { type PublishedTask, WireBatch } from "./wire.ts";
import type { FromWriter, ToWriter, WriterData, WriterHeap } from "./worker.ts";

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
  /** A task its stream stored: `data` is the message as published (copied at once; the caller may reuse it). */
  taskPublished(task: PublishedTask, data: Uint8Array): void;
  /** A done message as received (copied at once), and when it was (ISO text). */
  doneReceived(data: Uint8Array, at: string): void;
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
  /** Post at once when this many wait (default 1 024: each post is a spool write and a message to the writer). */
  readonly postRows?: number;
  readonly onState?: (state: CacheState) => void;
  /** How many records may wait in the spool before new ones are dropped (default 1 000 000). */
  readonly maxSpooled?: number;
  /**
   * When the writer thread runs idle or is lifted to the normal policy (default: `spooledPolicyLimits`, or
   * `defaultPolicyLimits` when batches wait in memory).
   */
  readonly policyLimits?: PolicyLimits;
  /** The main thread's load, 0 to 1, since it was last asked (default: its event-loop utilization). */
  readonly mainLoad?: () => number;
  /** Called after the writer's policy was set. */
  readonly onPolicy?: (policy: WriterPolicy) => void;
  /** Called after each batch the writer took, with its heap. */
  readonly onWriterHeap?: (heap: WriterHeap) => void;
}

/**
 * The writing thread: its bundle beside ours (`cache-worker.mjs`, built with `main.mjs`), or, when running from the
 * TypeScript sources (tests), `worker.ts` loaded through tsx, which a worker thread has to register for itself.
 */
function startWriter(workerData: WriterData): Worker {
  // The writer collects its own old generation when it has grown (`writerOldSpaceMb`): V8 gives `gc` to the
  // contexts made after this flag is set, so to the writer's and not to this thread's.
  setFlagsFromString("--expose-gc");
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./cache-worker.mjs", import.meta.url), {
      workerData,
      resourceLimits: writerResourceLimits,
    });
  const source = JSON.stringify(new URL("./worker.ts", import.meta.url).href);
  const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${source}); });`;
  return new Worker(boot, { eval: true, workerData, resourceLimits: writerResourceLimits });
}

/**
 * The writer's own heap. Its work is short-lived objects (a batch's records and their statement parameters), so a
 * small young generation (V8 gives a thread 32 MiB by default) is enough, and its backlog waits in the spool. It only
 * applies because the command clears the main thread's young-generation flag before this thread starts
 * (`cmd/taskmaster/v8settings.js`); with the flag in force, the writer would get the main thread's 16 MiB. The
 * highest RSS with 100 000 tasks in flight (a harness like `make bench`'s, once per size) is 143, 145 and 146 MiB
 * with 2, 4 and 8 MiB, and 161 MiB with 16.
 */
export const writerResourceLimits = { maxYoungGenerationSizeMb: 4 };
/** The most records the writer's store queues as objects (while degraded). */
const storeMaxPending = 20_000;

/** The event-loop utilization of this thread since the last call. */
function eventLoopLoad(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    return utilization;
  };
}

/**
 * The spool beside the cache file, or null where the folder cannot be made (a read-only mount): batches then
 * travel in memory.
 */
function openSpool(cachePath: string): SpoolWriter | null {
  try {
    return new SpoolWriter(spoolDir(cachePath));
  } catch {
    return null;
  }
}

export function startThreadedCache(options: ThreadedCacheOptions): ThreadedCache {
  const data: WriterData = {
    path: options.path,
    retentionMs: options.retentionMs,
    // The store's own queue holds records as objects: while it writes it is kept to a batch or two (`worker.ts`),
    // and while it cannot write (degraded) to this many.
    ...(options.maxPending === undefined
      ? {}
      : { maxPending: Math.min(options.maxPending, storeMaxPending) }),
    ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
    ...(options.oldSpaceMb === undefined ? {} : { oldSpaceMb: options.oldSpaceMb }),
  };
  // Set to 1 while the writer should wait before its next batch (`holdFor`), read by the writer thread.
  const hold = new Int32Array(new SharedArrayBuffer(4));
  const worker = startWriter({ ...data, hold: hold.buffer as SharedArrayBuffer });
  worker.unref();
  const spool = openSpool(options.path);
  const postMs = options.postMs ?? 20;
  const postRows = options.postRows ?? 1024;
  let state: CacheState = { mode: "ok", reason: "", pending: 0, dropped: 0, path: options.path };
  const buffer = new WireBatch();
  // Posted and not yet taken into the store: while the writer is busy, batches wait in the spool (without one, as
  // bytes in its port and then in its backlog). Past the limit the records are dropped (and counted) rather than held:
  // memory and disk stay bounded, the service is never slowed, and the streams still hold every task (a rebuild
  // brings them back).
  const maxPending = options.maxPending ?? 20_000;
  const maxSpooled = options.maxSpooled ?? 1_000_000;
  /** Whether the last batch could be spooled: while it cannot (a full disk), batches wait in memory. */
  let spooling = spool !== null;
  let posted = 0;
  /** Of `posted`, the records that wait in memory. */
  let inMemory = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let reader: Database.Database | null = null;
  let nextId = 0;
  let closed = false;
  const waiting = new Map<number, (result: unknown) => void>();
  // The writer's scheduling policy: set here, as a starved thread could not set its own (`priority.ts`).
  const limits = options.policyLimits ?? (spool ? spooledPolicyLimits : defaultPolicyLimits);
  let writerTid = 0;
  let policy: WriterPolicy = "normal";
  let settingPolicy = false;
  let watch: NodeJS.Timeout | undefined;
  /** Each batch not yet taken by the writer: when it was posted, and whether in memory (it takes them in order). */
  const postedBatches: { readonly at: number; readonly inMemory: boolean }[] = [];
  const backlog = () => ({
    waiting: posted,
    oldestMs: postedBatches.length > 0 ? Date.now() - (postedBatches[0]?.at ?? 0) : 0,
  });
  const steer = (want: WriterPolicy = policyFor(backlog(), policy, limits)) => {
    if (writerTid === 0 || settingPolicy || closed || want === policy) return;
    settingPolicy = true;
    void setThreadPolicy(writerTid, want).then((ok) => {
      settingPolicy = false;
      if (!ok) return; // no chrt, or not allowed: nice 19 stays
      policy = want;
      options.onPolicy?.(want);
      steer();
    });
  };

  const post = () => {
    clearTimeout(timer);
    timer = undefined;
    if (buffer.count === 0 || closed) return;
    const count = buffer.count;
    try {
      const bytes = buffer.take();
      const at = spool?.append(bytes) ?? null;
      spooling = at !== null;
      if (at) worker.postMessage({ kind: "spooled", count, ...at } satisfies ToWriter);
      // The batch's memory is its own (`WireBatch.take`): handed over, not copied.
      else
        worker.postMessage({ kind: "records", count, bytes } satisfies ToWriter, [
          bytes.buffer as ArrayBuffer,
        ]);
      posted += count;
      if (!at) inMemory += count;
      postedBatches.push({ at: Date.now(), inMemory: !at });
      if (posted > limits.liftAbove) steer();
    } catch {
      // A record that cannot be sent (nothing the service records can fail this way) never fails the caller.
      dropped += count;
    }
  };
  /** Whether a record may be added (else it is dropped and counted). */
  const room = () => {
    if (closed) return false;
    if (spooling ? posted + buffer.count < maxSpooled : inMemory + buffer.count < maxPending) return true;
    dropped++;
    return false;
  };
  const added = () => {
    if (buffer.count >= postRows) post();
    else timer ??= setTimeout(post, postMs).unref();
  };
  /** Any record as it is: the ones that are not tasks published or dones received are few. */
  const record = (op: Parameters<WireBatch["record"]>[0]) => {
    if (!room()) return;
    buffer.record(op);
    added();
  };
  const load = options.mainLoad ?? eventLoopLoad();
  /** Commands sent and not yet answered: the writer never waits while one is pending (a flush must not). */
  let commands = 0;
  const holding = setInterval(() => {
    Atomics.store(hold, 0, commands === 0 && holdFor(backlog(), load(), limits) ? 1 : 0);
  }, 100);
  holding.unref();
  const command = (kind: "flush" | "recycle" | "reopen" | "close"): Promise<unknown> => {
    post();
    commands++;
    Atomics.store(hold, 0, 0);
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
      // Records the writer could not read back (a damaged spool) are lost to the cache: counted as dropped.
      dropped += message.unreadable;
      if (postedBatches.shift()?.inMemory) inMemory -= message.count;
      if (posted < limits.idleBelow) steer();
      options.onWriterHeap?.(message.heap);
      return;
    }
    if (message.kind === "thread") {
      const tid = message.tid;
      void canLeaveIdle().then((ok) => {
        if (!ok || closed) return; // it could not be lifted again: nice 19 only
        writerTid = tid;
        steer("idle");
        // A starved writer takes nothing, so nothing else would notice how long its records have waited.
        watch = setInterval(steer, Math.max(100, Math.min(1000, limits.liftAfterMs / 2)));
        watch.unref();
      });
      return;
    }
    if (message.kind === "done") {
      commands--;
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
    taskPublished(task, data) {
      if (!room()) return;
      buffer.published(task, data);
      added();
    },
    doneReceived(data, at) {
      if (!room()) return;
      buffer.done(data, at);
      added();
    },
    taskEmitted: (r) => record({ op: "task", record: r }),
    taskDone: (r) => record({ op: "done", record: r }),
    fileArrived: (r) => record({ op: "file", record: r }),
    alertRaised: (r) => record({ op: "alert", record: r }),
    messageRejected: (r) => record({ op: "rejected", record: r }),
    actionTaken: (r) => record({ op: "action", record: r }),
    phasesLoaded: (records) => record({ op: "phases", records }),
    async flush() {
      if (!closed) await command("flush");
    },
    state: () => ({
      ...state,
      pending: state.pending + posted + buffer.count,
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
      clearInterval(watch);
      clearInterval(holding);
      dropReader();
      await worker.terminate();
      spool?.close();
    },
  };
}
