/**
 * The runtime loop's heart: triggers in (done messages, retry records, cron slots), the planner in the middle,
 * the outbox out. It holds the current workflow snapshot, counts work in flight so a shutdown can drain it, and
 * reports everything as events. It talks to NATS only through the `Outbox` port and the messages it is handed.
 */
import { randomUUID } from "node:crypto";
import type { Inbound } from "../bus/index.ts";
import type { Clock } from "../clock/index.ts";
import { Fifo } from "../fifo/index.ts";
import type { FileLedger } from "../files/index.ts";
import { type CronEntry, journalMsgId } from "../journal/index.ts";
import {
  cronMetaFiles,
  doneMetaFiles,
  type FetchedMetaFiles,
  type Plan,
  type PlanContext,
  planCron,
  seededRandom,
  withFetchedMetaFiles,
} from "../plan/index.ts";
import type { MetaRow } from "../rule/index.ts";
import type { Task } from "../task/index.ts";
import type { Phase, Snapshot } from "../workflow/index.ts";
import { type DoneDeps, handleDone } from "./done.ts";
import { asError, EngineEvents } from "./events.ts";
import { handleFile, maxFilesAtOnce } from "./file.ts";
import { type Journal, recordAlerts, rejectMessage } from "./journal.ts";
import { isRefusedForGood, type Outbox, type Subjects, sendAll } from "./outbox.ts";
import { releaseRetry } from "./retry.ts";
import { Slots } from "./slots.ts";

/**
 * Meta-files read before a plan reads them, so the planner stays pure and the event loop is never held: a glob walked
 * over a big tree, an object fetched from a bucket.
 */
export interface MetaFileSource {
  /** The rows of each of `patterns` (local or in a bucket), or why it could not be read; never rejects. */
  load(patterns: readonly string[]): Promise<FetchedMetaFiles>;
}

export interface EngineDeps {
  readonly outbox: Outbox;
  readonly subjects: Subjects;
  readonly clock: Clock;
  readonly host: string;
  readonly readMetaFile: (pattern: string) => readonly MetaRow[];
  /** Without it, every meta-file is read by `readMetaFile`, as the plan needs it. */
  readonly metaFiles?: MetaFileSource;
  readonly events?: EngineEvents;
  /**
   * Where the facts no other stream holds are recorded (alerts, what files did, cron slots, refused messages), each
   * before what caused it counts as handled. Without one they are only announced as events.
   */
  readonly journal?: Journal;
  /** Remembers which files triggered, so each triggers once. */
  readonly ledger?: FileLedger;
  /**
   * How many done messages and retry records are worked on at once (default 256); the rest wait their turn.
   * This bounds memory: one done message can fan out to many tasks, all in flight until their acks come.
   */
  readonly maxActive?: number;
  /**
   * New work waits while this many publishes await their acks (default 1024): on loopback that keeps the publishes
   * pipelined (the relay of `make bench` pulls 1 000 messages at a time), and with 4096 the RSS with 100 000 tasks in
   * flight was 10-15 MiB higher, and no faster.
   */
  readonly maxPublishing?: number;
}

export interface Engine {
  readonly events: EngineEvents;
  snapshot(): Snapshot | null;
  setSnapshot(snapshot: Snapshot): void;
  /** Hand a done message over; the engine acks, naks or terminates it. */
  onDone(msg: Inbound): void;
  /** Hand a files-stream message over. */
  onFile(msg: Inbound): void;
  /** Hand a retry record over. */
  onRetry(msg: Inbound): void;
  /** The planning context of now (time, host, ids): for plans made outside the engine (a backload). */
  context(): PlanContext;
  /** `context()` with `metaFiles` read, for a plan made outside the engine that reads them (a backload, a launch). */
  contextWith(metaFiles: readonly string[]): Promise<PlanContext>;
  /**
   * Publishes a plan made outside the engine (a backload), records and raises its alerts; resolves once all is
   * stored.
   */
  publishPlan(plan: Plan): Promise<number>;
  /** Emits a phase's tasks for a cron slot; resolves once they, its alerts and the slot's entry are stored. */
  fireCron(phase: Phase, slot: Date): Promise<number>;
  /** Work handed over and not finished. */
  readonly inFlight: number;
  /** The work being done now, one entry per slot taken (at most `maxActive`). */
  held(): readonly Held[];
  /** How long the oldest work being done now has been held, in milliseconds; 0 when there is none. */
  oldestMs(now?: Date): number;
  /** Resolves when everything handed over so far has finished. */
  drain(): Promise<void>;
}

/** What a piece of work is: it says which handler takes the message. */
export type WorkKind = "done" | "file" | "retry";

/** A message being worked on, in one of the engine's slots. */
export interface Held {
  readonly kind: WorkKind;
  readonly msg: Inbound;
  /** When it took its slot (the clock's milliseconds). */
  readonly since: number;
}

/** A message waiting its turn, then held: a record, not a closure (this is made for every message). */
interface Job {
  readonly kind: WorkKind;
  readonly msg: Inbound;
  since: number;
  slot: number;
}

export function createEngine(deps: EngineDeps): Engine {
  const events = deps.events ?? new EngineEvents();
  const { journal } = deps;
  const maxActive = deps.maxActive ?? 256;
  const maxPublishing = deps.maxPublishing ?? 1024;
  // Kept in slots that are reused, not in a Set: a Set that keeps taking new entries is rebuilt again and again, and
  // each old copy that V8 moved to the old generation keeps the work that was in it alive until the next full GC.
  const slots: (Job | undefined)[] = [];
  const freeSlots: number[] = [];
  let active = 0;
  const waiting = new Fifo<Job>();
  /** Called once nothing runs and nothing waits (`drain`). */
  let drained: (() => void)[] = [];
  const triggering = new Map<string, Promise<void>>();
  const fileSlots = new Slots(maxFilesAtOnce);
  let current: Snapshot | null = null;
  /** Some child phase of the current snapshot reads a meta-file: done messages then read it before planning. */
  let childMetaFiles = false;

  const context = (now = deps.clock.now()): PlanContext => ({
    now,
    host: deps.host,
    newId: randomUUID,
    random: seededRandom,
    readMetaFile: deps.readMetaFile,
    failedTopic: deps.subjects.failed || "-",
  });

  /** `ctx` once `patterns` are read; undefined when there are none (or nothing reads ahead). */
  const fetched = (patterns: readonly string[], ctx: PlanContext): Promise<PlanContext> | undefined => {
    const source = deps.metaFiles;
    if (!source || patterns.length === 0) return undefined;
    return source.load(patterns).then((files) => withFetchedMetaFiles(ctx, files));
  };

  /**
   * What a done message is planned with: the snapshot and the context of now. Done messages of a burst arrive many
   * to the millisecond, so one is kept while the clock's millisecond and the snapshot stay the same.
   */
  let doneDeps: DoneDeps | null = null;
  const doneDepsNow = (snapshot: Snapshot, now: Date): DoneDeps => {
    if (doneDeps?.snapshot === snapshot && doneDeps.ctx.now.getTime() === now.getTime()) return doneDeps;
    const ctx = context(now);
    doneDeps = {
      outbox: deps.outbox,
      subjects: deps.subjects,
      events,
      journal,
      snapshot,
      ctx,
      ...(childMetaFiles ? { fetchFor: (task: Task) => fetched(doneMetaFiles(snapshot, task), ctx) } : {}),
    };
    return doneDeps;
  };

  const begin = (job: Job, now: Date): Promise<void> => {
    const { msg } = job;
    if (job.kind === "retry") return releaseRetry(msg, now, deps.outbox, events, journal);
    if (!current) return Promise.reject(new Error("no workflows loaded yet"));
    if (job.kind === "done") return handleDone(msg, doneDepsNow(current, now));
    return handleFile(msg, {
      outbox: deps.outbox,
      subjects: deps.subjects,
      events,
      journal,
      snapshot: current,
      ctx: context(now),
      ledger: deps.ledger,
      triggering,
      fileSlots,
    });
  };

  const finish = (job: Job) => {
    slots[job.slot] = undefined;
    freeSlots.push(job.slot);
    active--;
    pump();
    if (active === 0 && waiting.size === 0 && drained.length > 0) {
      const waiters = drained;
      drained = [];
      for (const resolve of waiters) resolve();
    }
  };

  const run = (job: Job) => {
    active++;
    const now = deps.clock.now();
    job.since = now.getTime();
    job.slot = freeSlots.pop() ?? slots.length;
    slots[job.slot] = job;
    let working: Promise<void>;
    try {
      working = begin(job, now);
    } catch (err) {
      working = Promise.reject(err);
    }
    working.then(
      () => finish(job),
      (err: unknown) => fail(job, err).then(() => finish(job)),
    );
  };

  /** What a piece of work that failed leaves behind; never rejects. */
  const fail = (job: Job, err: unknown): Promise<void> => {
    // Sending again cannot mend it: recorded, terminated and reported, so it never holds a slot again.
    if (isRefusedForGood(err))
      return rejectMessage(job.msg, asError(err).message, journal, events).catch((e: unknown) =>
        leave(job, e),
      );
    leave(job, err);
    return Promise.resolve();
  };

  /** Left unacked on purpose when publishing could not finish: the server redelivers it. */
  const leave = (job: Job, err: unknown) => {
    events.emit({ type: "error", where: job.kind, error: asError(err) });
    try {
      job.msg.nak(1000);
    } catch {
      // The connection is gone; the server redelivers after ack_wait.
    }
  };

  // Work beyond `maxActive` waits in order; each finished piece starts the next.
  // Also held back while many publishes await their acks: one done message can fan out to hundreds of tasks.
  const hasRoom = () => active === 0 || (active < maxActive && (deps.outbox.inFlight ?? 0) < maxPublishing);
  const pump = () => {
    while (waiting.size > 0 && hasRoom()) {
      const job = waiting.shift();
      if (job) run(job);
    }
  };
  const track = (kind: WorkKind, msg: Inbound) => {
    waiting.push({ kind, msg, since: 0, slot: -1 });
    pump();
  };

  return {
    events,
    snapshot: () => current,
    setSnapshot(snapshot) {
      current = snapshot;
      childMetaFiles =
        deps.metaFiles !== undefined && snapshot.phases.some((p) => p.parentTopic !== "" && p.rule.metaFile);
    },
    onDone(msg) {
      track("done", msg);
    },
    onFile(msg) {
      track("file", msg);
    },
    onRetry(msg) {
      track("retry", msg);
    },
    context,
    contextWith(metaFiles) {
      const ctx = context();
      return fetched(metaFiles, ctx) ?? Promise.resolve(ctx);
    },
    async publishPlan(plan) {
      // A person's action, handed over once: its alerts get ids of their own.
      await Promise.all([
        sendAll(deps.outbox, plan.emissions, deps.subjects, events),
        journal && plan.alerts.length > 0 ? recordAlerts(journal, plan.alerts, "plan", randomUUID()) : 0,
      ]);
      for (const alert of plan.alerts) events.emit({ type: "alertRaised", alert });
      return plan.emissions.length;
    },
    async fireCron(phase, slot) {
      const ctx = context();
      const plan = planCron(phase, slot, (await fetched(cronMetaFiles(phase), ctx)) ?? ctx);
      const cause = ["cron", phase.workflow, phase.key, slot.toISOString()] as const;
      await Promise.all([
        sendAll(deps.outbox, plan.emissions, deps.subjects, events),
        journal && plan.alerts.length > 0 ? recordAlerts(journal, plan.alerts, ...cause) : 0,
      ]);
      // Only once its tasks are stored: the entry says they are.
      const fired: CronEntry = {
        type: "cron",
        workflow: phase.workflow,
        phase: phase.key,
        slot: slot.toISOString(),
        tasks: plan.emissions.length,
      };
      await journal?.record(fired, journalMsgId(...cause));
      for (const alert of plan.alerts) events.emit({ type: "alertRaised", alert });
      for (const note of plan.notes) events.emit({ type: "planNote", note });
      events.emit({
        type: "cronFired",
        workflow: phase.workflow,
        phase: phase.key,
        slot,
        tasks: plan.emissions.length,
      });
      return plan.emissions.length;
    },
    get inFlight() {
      return active + waiting.size;
    },
    held() {
      return slots.filter((job): job is Job => job !== undefined);
    },
    oldestMs(now = deps.clock.now()) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const job of slots) if (job && job.since < oldest) oldest = job.since;
      return oldest === Number.POSITIVE_INFINITY ? 0 : Math.max(0, now.getTime() - oldest);
    },
    async drain() {
      if (active === 0 && waiting.size === 0) return;
      await new Promise<void>((resolve) => drained.push(resolve));
    },
  };
}
