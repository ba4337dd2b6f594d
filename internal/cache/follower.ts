/**
 * The history follower: the history as a projection of the tasks, failed, done, events and audit streams
 * (`follow.ts` is its contract). Each stream is read by a consumer of its own from the position stored in the file;
 * what they bring is gathered into batches (up to 2 000 messages, or what came within 50 ms) and each batch is
 * written in one transaction with the positions it reaches, so a crash at any moment resumes with nothing lost and
 * nothing doubled.
 *
 * The file's troubles never lose a message, because the streams still hold it: a write that fails for a passing
 * reason (the disk, the mount, a lock) rolls back, the consumers stop and the file is opened again after `retryMs`,
 * from its stored positions; a corrupt or missing file is moved aside and replaced (by a backup `beforeOpen` puts
 * there, or a new file) and rebuilt by replay of whatever the streams hold from the positions it has.
 */
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import type { Database } from "better-sqlite3";
import { type Clock, every, systemClock } from "../clock/index.ts";
import { Batch, type Cursor, cursor, reached, type StreamRole } from "./batch.ts";
import { probeCacheFile } from "./db.ts";
import { classify, describe, type Failure, FailureKind } from "./failure.ts";
import type {
  FollowEvent,
  FollowOptions,
  HistoryFollower,
  HistoryMode,
  HistoryState,
  ProjectedBatch,
} from "./follow.ts";
import { openCache } from "./open.ts";
import { DoneHold, type PairedMessage } from "./pairing.ts";
import { type BatchWriter, prepareBatchWriter, readPositions } from "./positions.ts";
import { CaughtUpWaiters, type Rebuild, rebuildFrom, rebuilt, standing } from "./progress.ts";
import { readStream, type StreamReader } from "./reader.ts";
import { recycleBefore } from "./retention.ts";

/**
 * A batch is written once it holds this many messages (or this many bytes), or `batchWaitMs` after its first. Tasks
 * are keyed by their message id, a hash, so each new row goes to a random page of the key index, and a commit writes
 * every page its batch touched: the more rows a batch holds, the more of them share a page. Catching up on 300 000
 * tasks and their dones took 50 µs of CPU a message in batches of 2 000 and 37 µs in batches of 10 000, but the
 * history process then peaked 36 MiB higher (196 MiB) catching up on 850 000 messages: memory is what is kept here.
 */
const batchMessages = 2000;
const batchBytes = 8 * 1024 * 1024;
const batchWaitMs = 50;
/** How often the streams' last sequences are looked at (how far behind the history is, what they dropped). */
const lookEveryMs = 1000;
/** How often a missing stream is looked for, and a failed consumer made again. */
const streamRetryMs = 1000;
const recycleEveryMs = 24 * 60 * 60 * 1000;
/** Done messages held back at most until their tasks are read (`pairing.ts`). */
const maxHeldDones = 2000;

/** Starts following; resolves once the file was opened (or found unusable: then degraded, retrying). */
export async function startFollower(options: FollowOptions): Promise<HistoryFollower> {
  const follower = new Follower(options);
  await follower.start();
  return follower;
}

/** A message as the readers hand it over. */
type TakenMessage = Parameters<Batch["take"]>[1] & PairedMessage;

class Follower implements HistoryFollower {
  readonly #o: FollowOptions;
  readonly #clock: Clock;
  readonly #retryMs: number;
  readonly #cursors: Cursor[];
  /** Each stream's last sequence at the last look. */
  readonly #last = new Map<string, number>();
  #db: Database | null = null;
  #writer: BatchWriter | null = null;
  #batch = new Batch();
  readonly #held = new DoneHold<TakenMessage>(maxHeldDones);
  #readers: StreamReader[] = [];
  /** Bumped whenever the readers stop: messages of an older generation are not taken. */
  #generation = 0;
  #mode: HistoryMode = "starting";
  #reason = "";
  #since: string;
  #movedAside: string | undefined;
  #rebuild: Rebuild | undefined;
  #written = 0;
  #looked = false;
  #jsm: Promise<JetStreamManager> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | undefined;
  #stopped = false;
  #cancelBatchTimer: (() => void) | undefined;
  #flushQueued = false;
  #cancelRetry: (() => void) | undefined;
  readonly #stopTimers: (() => void)[] = [];
  readonly #listeners = new Set<(batch: ProjectedBatch) => void>();
  readonly #waiters = new CaughtUpWaiters();

  constructor(options: FollowOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#retryMs = options.retryMs ?? 5000;
    this.#since = this.#clock.now().toISOString();
    const roles: readonly StreamRole[] = ["tasks", "failed", "done", "events", "audit"];
    this.#cursors = roles.map((role) => cursor(role, options.streams[role], { seq: 0, lost: 0 }));
  }

  async start(): Promise<void> {
    this.#stopTimers.push(every(this.#clock, lookEveryMs, () => void this.#look()));
    this.#stopTimers.push(every(this.#clock, recycleEveryMs, () => this.#recycle()));
    await this.#exclusive(() => this.#open(false, ""));
  }

  state(): HistoryState {
    const { positions, behind, lost } = standing(this.#cursors, this.#last);
    const r = this.#rebuild;
    return {
      mode: this.#mode,
      reason: this.#reason,
      since: this.#since,
      path: this.#o.path,
      ...(this.#movedAside === undefined ? {} : { movedAside: this.#movedAside }),
      positions,
      behind,
      ...(r === undefined ? {} : { rebuild: { done: rebuilt(r, this.#cursors), total: r.total } }),
      lost,
      written: this.#written,
    };
  }

  database(): Database | null {
    return this.#db;
  }

  onProjected(listener: (batch: ProjectedBatch) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async caughtUp(): Promise<void> {
    await this.#look();
    const targets = new Map(this.#cursors.map((c) => [c.name, this.#last.get(c.name) ?? 0]));
    if (this.#stopped) throw new Error("the history follower is stopped");
    const caught = this.#waiters.wait(targets);
    this.#waiters.settle(this.#cursors);
    return caught;
  }

  reopen(replace?: (path: string) => Promise<void> | void): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#stopped) return;
      this.#cancelRetry?.();
      await this.#stopReaders();
      this.#flush();
      this.#closeDb();
      try {
        await replace?.(this.#o.path);
      } catch {
        // What is at the path is opened as it is: the history is rebuilt if it is not a usable file.
      }
      await this.#open(false, "");
    });
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping ??= (async () => {
      for (const stop of this.#stopTimers) stop();
      this.#cancelRetry?.();
      await this.#exclusive(async () => {
        await this.#stopReaders();
        this.#flush();
        this.#cancelBatchTimer?.();
        this.#closeDb();
        this.#setMode("stopped", "");
      });
      this.#waiters.rejectAll(new Error("the history follower is stopped"));
    })();
    return this.#stopping;
  }

  /** Runs one step of the file's life at a time (open, retry, reopen, stop), in call order. */
  #exclusive(step: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(step).catch(() => {
      // Every step reports its own failures through the state.
    });
    return this.#chain;
  }

  /**
   * Opens the file (moving a corrupt one aside, letting `beforeOpen` restore a backup where there is none), reads its
   * positions and starts the readers from them. A file that was not usable is rebuilt from the streams.
   */
  async #open(knownCorrupt: boolean, why: string): Promise<void> {
    const { path, beforeOpen } = this.#o;
    this.#closeDb();
    if (this.#stopped) return;
    const found = knownCorrupt ? "corrupt" : probeCacheFile(path);
    const now = () => this.#clock.now();
    let fresh = found !== "ok";
    try {
      const opened = await openCache({ path, now, beforeOpen, knownCorrupt });
      this.#db = opened.db;
      this.#writer = prepareBatchWriter(opened.db);
      const positions = readPositions(opened.db);
      this.#batch = new Batch();
      for (const c of this.#cursors) {
        c.committed = positions.get(c.name) ?? { seq: 0, lost: 0 };
        c.read = c.committed.seq;
        c.lost = c.committed.lost;
      }
      if (opened.movedAside !== undefined) {
        fresh = true;
        this.#movedAside = opened.movedAside;
        const reason = why || `${path} is corrupt`;
        this.#emit({ type: "movedAside", path, aside: opened.movedAside, reason });
      }
    } catch (err) {
      this.#closeDb();
      this.#degrade(describe(classify(err), path, "opening"));
      return;
    }
    this.#recycle();
    await this.#look();
    if (this.#stopped || !this.#db) return;
    const replay = rebuildFrom(this.#cursors, this.#last, Date.now());
    this.#rebuild = fresh && replay.total > 0 ? replay : undefined;
    if (this.#rebuild)
      this.#setMode("rebuilding", `rebuilding ${path} from the streams: ${replay.total} messages`);
    else this.#setMode("ok", "");
    this.#startReaders();
  }

  #startReaders(): void {
    const generation = ++this.#generation;
    this.#readers = this.#cursors.map((c) =>
      readStream({
        nc: this.#o.nc,
        stream: c.name,
        after: c.committed.seq,
        onMessage: (m) => {
          if (generation === this.#generation) this.#read(c, m);
        },
        retryMs: streamRetryMs,
        onError: () => {
          // The reader makes its consumer again; the lag (`behind`) shows a stream that stays unreadable.
        },
      }),
    );
  }

  async #stopReaders(): Promise<void> {
    this.#generation++;
    this.#held.clear();
    const readers = this.#readers.splice(0);
    await Promise.all(readers.map((r) => r.stop()));
  }

  /** A message read: a done waits until its task is read (`pairing.ts`), the rest are taken at once. */
  #read(c: Cursor, m: TakenMessage): void {
    if (c.role === "done") {
      for (const d of this.#held.done(m)) this.#take(c, d);
      return;
    }
    this.#take(c, m);
    if (c.role === "tasks") this.#release(this.#held.task(m));
  }

  #release(dones: readonly TakenMessage[]): void {
    const c = this.#cursors.find((x) => x.role === "done");
    if (c) for (const d of dones) this.#take(c, d);
  }

  #take(c: Cursor, m: TakenMessage): void {
    this.#batch.take(c, m);
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    const b = this.#batch;
    if (b.messages >= batchMessages || b.bytes >= batchBytes) {
      if (this.#flushQueued) return;
      this.#flushQueued = true;
      setImmediate(() => {
        this.#flushQueued = false;
        this.#flush();
      });
    } else if (this.#cancelBatchTimer === undefined) {
      this.#cancelBatchTimer = this.#clock.setTimer(batchWaitMs, () => {
        this.#cancelBatchTimer = undefined;
        this.#flush();
      });
    }
  }

  /** Writes the batch gathered with the positions it reaches, in one transaction. */
  #flush(): void {
    this.#cancelBatchTimer?.();
    this.#cancelBatchTimer = undefined;
    const batch = this.#batch;
    if (batch.empty || !this.#writer) return;
    this.#batch = new Batch();
    const positions = reached(this.#cursors);
    let failure = this.#write(batch, positions, false);
    if (failure?.kind === FailureKind.other) failure = this.#write(batch, positions, true);
    if (failure) {
      this.#fail(failure);
      return;
    }
    for (const c of this.#cursors) c.committed = { seq: c.read, lost: c.lost };
    for (const gap of batch.gaps) this.#emit({ type: "lost", ...gap });
    this.#project(batch);
    this.#progress();
    this.#waiters.settle(this.#cursors);
  }

  #write(batch: Batch, positions: Parameters<BatchWriter["write"]>[1], each: boolean): Failure | null {
    try {
      const refused = this.#writer?.write(batch.ops, positions, each) ?? 0;
      this.#written += batch.ops.length - refused;
      return null;
    } catch (err) {
      return classify(err);
    }
  }

  /**
   * A write failed and was rolled back: what was read is dropped (the streams still hold it), the readers stop, and
   * the file is opened again from its stored positions: at once for a corrupt file (moved aside), else after `retryMs`.
   */
  #fail(failure: Failure): void {
    const { path } = this.#o;
    this.#generation++;
    for (const c of this.#cursors) {
      c.read = c.committed.seq;
      c.lost = c.committed.lost;
    }
    this.#batch = new Batch();
    this.#held.clear();
    const reason = describe(failure, path, "writing");
    void this.#exclusive(async () => {
      await this.#stopReaders();
      this.#closeDb();
      if (failure.kind === FailureKind.corrupt) await this.#open(true, reason);
      else this.#degrade(reason);
    });
  }

  #degrade(reason: string): void {
    if (this.#stopped) return;
    this.#setMode("degraded", reason);
    this.#cancelRetry?.();
    this.#cancelRetry = this.#clock.setTimer(this.#retryMs, () => {
      this.#cancelRetry = undefined;
      void this.#exclusive(() => this.#open(false, ""));
    });
  }

  #project(batch: Batch): void {
    if (this.#listeners.size === 0) return;
    const projected = batch.projected(this.#mode === "rebuilding");
    for (const listener of this.#listeners) {
      try {
        listener(projected);
      } catch {
        // A listener's throw is its own.
      }
    }
  }

  #progress(): void {
    const r = this.#rebuild;
    if (r === undefined || rebuilt(r, this.#cursors) < r.total) return;
    this.#rebuild = undefined;
    this.#setMode("ok", "");
    this.#emit({ type: "rebuilt", messages: r.total, ms: Date.now() - r.began });
  }

  /**
   * The streams' last sequences now (for `behind`, `caughtUp` and a rebuild's total), and the messages a stream
   * dropped before the history read them: a first sequence past the reading is a gap, written as lost.
   */
  async #look(): Promise<void> {
    let jsm: JetStreamManager;
    try {
      this.#jsm ??= jetstreamManager(this.#o.nc);
      jsm = await this.#jsm;
    } catch {
      this.#jsm = undefined;
      return;
    }
    const generation = this.#generation;
    await Promise.all(
      this.#cursors.map(async (c) => {
        const info = await jsm.streams.info(c.name).catch(() => null);
        const last = info?.state.last_seq ?? 0;
        this.#last.set(c.name, last);
        if (!this.#looked) c.startLast = last;
        if (!info || generation !== this.#generation || !this.#writer) return;
        if (c.role === "tasks") this.#release(this.#held.tasksAtEnd(c.read >= last));
        if (info.state.first_seq > c.read + 1) {
          this.#batch.skip(c, info.state.first_seq - 1);
          this.#scheduleFlush();
        }
      }),
    );
    this.#looked = true;
  }

  #recycle(): void {
    const db = this.#db;
    if (!db || this.#o.retentionMs <= 0) return;
    try {
      recycleBefore(db, new Date(this.#clock.now().getTime() - this.#o.retentionMs).toISOString());
    } catch (err) {
      const failure = classify(err);
      if (failure.kind === FailureKind.corrupt) this.#fail(failure);
    }
  }

  #closeDb(): void {
    try {
      this.#db?.close();
    } catch {
      // Closing a connection to a broken file can fail; it is dropped either way.
    }
    this.#db = null;
    this.#writer = null;
  }

  #setMode(mode: HistoryMode, reason: string): void {
    if (mode === this.#mode && reason === this.#reason) return;
    if (mode !== this.#mode) this.#since = this.#clock.now().toISOString();
    this.#mode = mode;
    this.#reason = reason;
    this.#emit({ type: "state", state: this.state() });
  }

  #emit(event: FollowEvent): void {
    try {
      this.#o.onEvent?.(event);
    } catch {
      // The listener's failure is its own.
    }
  }
}
