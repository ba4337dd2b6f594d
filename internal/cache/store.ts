/**
 * The cache store: the service's history in SQLite, as a projection that is never in the way. Recording only
 * enqueues (the caller is the hot path); a timer writes the queue in one transaction. When the file cannot be opened
 * or written (disk full, read-only mount, I/O errors) the store is "degraded": records wait in memory, bounded, and
 * are written when a retry succeeds. A corrupt file is moved aside and replaced, and the state says where it went.
 *
 * Restoring a backup: pass `beforeOpen`. It is awaited whenever the path holds no database (missing, empty, or just
 * moved aside as corrupt), at start and on every reopen, so the caller can put a backup there first. Records
 * recorded meanwhile wait in the queue and are written into whatever database is then opened.
 */
import type { Database } from "better-sqlite3";
import { classify, describe, errorText, type Failure, FailureKind, isTransient } from "./failure.ts";
import { type BeforeOpen, openCache } from "./open.ts";
import { type CacheOp, OpQueue } from "./queue.ts";
import { noneRecycled, recycleBefore } from "./retention.ts";
import type {
  ActionRecord,
  AlertRecord,
  CacheMode,
  CacheState,
  DoneRecord,
  FileRecord,
  PhaseRecord,
  RecycleCounts,
  RejectedRecord,
  TaskRecord,
} from "./types.ts";
import { prepareWriter, type Writer } from "./writes.ts";

export interface CacheStoreOptions {
  readonly path: string;
  /** How long rows are kept; 0 or less keeps them forever (flowlord's 0 deleted everything before today). */
  readonly retentionMs: number;
  readonly now?: () => Date;
  /** The longest a record waits before it is written. */
  readonly flushMs?: number;
  /** Write at once when this many records wait. */
  readonly batchRows?: number;
  /** Records kept in memory at most while the file cannot be written; beyond, the oldest are dropped. */
  readonly maxPending?: number;
  /** How often a degraded store tries again. */
  readonly retryMs?: number;
  /** Called when the mode or reason changes and when a corrupt file was moved aside. */
  readonly onState?: (state: CacheState) => void;
  readonly beforeOpen?: BeforeOpen;
}

export interface CacheStore {
  taskEmitted(record: TaskRecord): void;
  taskDone(record: DoneRecord): void;
  fileArrived(record: FileRecord): void;
  alertRaised(record: AlertRecord): void;
  messageRejected(record: RejectedRecord): void;
  actionTaken(record: ActionRecord): void;
  phasesLoaded(records: readonly PhaseRecord[]): void;
  /** Writes everything queued (waiting for the first open); never rejects: `state()` tells how it went. */
  flush(): Promise<void>;
  state(): CacheState;
  /** Deletes rows older than now − retention and gives the space back; runs at open and every 24 h. */
  recycle(): RecycleCounts;
  /** The open connection (for `db.backup()` and the queries), or null while there is none. */
  database(): Database | null;
  /**
   * Closes the connection, lets `replace` put another file at the path (a backup: never copy over a file that is
   * open, its WAL would be applied to the copy), and opens the path again. Also for when a mount came back.
   */
  reopen(replace?: (path: string) => Promise<void> | void): Promise<void>;
  /** Writes what is queued, stops the timers and closes; records after this are dropped. Idempotent. */
  close(): Promise<void>;
}

/** A backlog (after an outage) is written in transactions of this many, yielding between them. */
const maxTransactionOps = 10_000;
const recycleEveryMs = 24 * 60 * 60 * 1000;

export function createCacheStore(options: CacheStoreOptions): CacheStore {
  const { path, retentionMs, onState, beforeOpen } = options;
  const now = options.now ?? (() => new Date());
  const flushMs = options.flushMs ?? 50;
  const batchRows = options.batchRows ?? 500;
  const retryMs = options.retryMs ?? 5000;
  const queue = new OpQueue(options.maxPending ?? 100_000);

  let db: Database | null = null;
  let writer: Writer | null = null;
  let mode: CacheMode = "ok";
  let reason = "";
  let since = now().toISOString();
  let movedAside: string | undefined;
  let lastError: string | undefined;
  let refused = 0;
  let closing: Promise<void> | undefined;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let timerDue = 0;

  const state = (): CacheState => ({
    mode,
    reason,
    since,
    pending: queue.size,
    dropped: queue.dropped + refused,
    path,
    ...(movedAside === undefined ? {} : { movedAside }),
    ...(lastError === undefined ? {} : { lastError }),
  });

  const report = () => {
    try {
      onState?.(state());
    } catch {
      // The listener's failure is its own; the store goes on.
    }
  };

  const setMode = (next: CacheMode, why: string, force = false) => {
    if (next === mode && why === reason && !force) return;
    if (next !== mode) since = now().toISOString();
    mode = next;
    reason = why;
    report();
  };

  /** Runs one step at a time (open, flush, reopen, close), in call order. */
  const exclusive = (step: () => Promise<void>): Promise<void> => {
    chain = chain.then(step).catch((err: unknown) => {
      lastError = `cache: ${errorText(err)}`;
    });
    return chain;
  };

  const schedule = (ms: number) => {
    const due = Date.now() + ms;
    if (timer !== undefined && timerDue <= due) return;
    clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, ms);
    timer.unref();
  };

  const closeDb = () => {
    try {
      db?.close();
    } catch {
      // Closing a connection to a broken file can fail; it is dropped either way.
    }
    db = null;
    writer = null;
  };

  const open = async (knownCorrupt: boolean) => {
    closeDb();
    if (closed) return;
    try {
      const opened = await openCache({ path, now, beforeOpen, knownCorrupt });
      db = opened.db;
      writer = prepareWriter(db);
      if (opened.hookError !== undefined) lastError = `beforeOpen: ${errorText(opened.hookError)}`;
      if (opened.movedAside !== undefined) movedAside = opened.movedAside;
      setMode("ok", "", opened.movedAside !== undefined);
      recycle();
    } catch (err) {
      closeDb();
      setMode("degraded", describe(classify(err), path, "opening"));
      schedule(retryMs);
    }
  };

  const tryWrite = (ops: readonly CacheOp[]): Failure | null => {
    if (!writer || !db) return { kind: FailureKind.cantopen, code: "", message: "no database open" };
    try {
      writer.write(ops);
      return null;
    } catch (err) {
      return classify(err);
    }
  };

  /** After a batch failed for a reason that is not the file's: write one op at a time, dropping the bad ones. */
  const writeEach = (batch: readonly CacheOp[]): Failure | null => {
    let written = 0;
    let stop: Failure | null = null;
    for (const op of batch) {
      const failure = tryWrite([op]);
      if (failure && failure.kind !== FailureKind.other) {
        stop = failure;
        break;
      }
      if (failure) {
        refused++;
        lastError = `record refused: ${failure.message}`;
      }
      written++;
    }
    queue.discard(written);
    return written > 0 ? null : stop;
  };

  const doFlush = async () => {
    if (closed) return;
    if (!db) await open(false);
    let corruptions = 0;
    while (db && queue.size > 0) {
      const batch = queue.peek(maxTransactionOps);
      let failure = tryWrite(batch);
      if (failure === null) queue.discard(batch.length);
      else if (failure.kind === FailureKind.other) failure = writeEach(batch);
      if (failure === null) {
        setMode("ok", "");
        if (queue.size > 0) await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      if (failure.kind === FailureKind.corrupt && corruptions++ === 0) {
        await open(true);
        continue;
      }
      setMode("degraded", describe(failure, path, "writing"));
      // The connection survives a full disk or a lock; after I/O or mount errors a fresh one is safer.
      if (!isTransient(failure) || (failure.kind !== FailureKind.full && failure.kind !== FailureKind.busy)) {
        closeDb();
      }
      schedule(retryMs);
      return;
    }
  };

  const flush = (): Promise<void> => exclusive(doFlush);

  /** `make` builds the op inside the guard, so that not even a bad argument throws at the caller. */
  const enqueue = (make: () => CacheOp) => {
    try {
      if (closing !== undefined) {
        refused++;
        return;
      }
      queue.push(make());
      if (mode === "degraded") return;
      schedule(queue.size >= batchRows ? 0 : flushMs);
    } catch {
      // Recording must never fail the caller: a record that cannot even be queued is counted as dropped.
      refused++;
    }
  };

  function recycle(): RecycleCounts {
    if (!db || retentionMs <= 0) return noneRecycled;
    try {
      return recycleBefore(db, new Date(now().getTime() - retentionMs).toISOString());
    } catch (err) {
      const failure = classify(err);
      lastError = `retention: ${describe(failure, path, "writing")}`;
      if (failure.kind === FailureKind.corrupt) void exclusive(() => open(true));
      return noneRecycled;
    }
  }

  const recycleTimer = setInterval(recycle, recycleEveryMs);
  recycleTimer.unref();
  void exclusive(() => open(false));

  return {
    taskEmitted: (record) => enqueue(() => ({ op: "task", record })),
    taskDone: (record) => enqueue(() => ({ op: "done", record })),
    fileArrived: (record) => enqueue(() => ({ op: "file", record })),
    alertRaised: (record) => enqueue(() => ({ op: "alert", record })),
    messageRejected: (record) => enqueue(() => ({ op: "rejected", record })),
    actionTaken: (record) => enqueue(() => ({ op: "action", record })),
    // A copy: the caller may reuse its array.
    phasesLoaded: (records) => enqueue(() => ({ op: "phases", records: [...records] })),
    flush,
    state,
    recycle,
    database: () => db,
    reopen: (replace) =>
      exclusive(async () => {
        closeDb();
        try {
          await replace?.(path);
        } catch (err) {
          lastError = `reopen: ${errorText(err)}`;
        }
        await open(false);
        await doFlush();
      }),
    close() {
      closing ??= (async () => {
        clearInterval(recycleTimer);
        await flush();
        closed = true;
        clearTimeout(timer);
        timer = undefined;
        closeDb();
      })();
      return closing;
    },
  };
}
