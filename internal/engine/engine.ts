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
import { type Plan, type PlanContext, planCron, seededRandom } from "../plan/index.ts";
import type { MetaRow } from "../rule/index.ts";
import type { Phase, Snapshot } from "../workflow/index.ts";
import { type DoneDeps, handleDone } from "./done.ts";
import { asError, EngineEvents } from "./events.ts";
import { handleFile } from "./file.ts";
import { type Outbox, type Subjects, sendAll } from "./outbox.ts";
import { releaseRetry } from "./retry.ts";

export interface EngineDeps {
  readonly outbox: Outbox;
  readonly subjects: Subjects;
  readonly clock: Clock;
  readonly host: string;
  readonly readMetaFile: (pattern: string) => readonly MetaRow[];
  /**
   * Reads a meta-file without blocking: a cron slot's phase reads its meta-file (a glob over a big tree, perhaps)
   * through this before it is planned, so the loop is not held. Without it, `readMetaFile` is used.
   */
  readonly loadMetaFile?: (pattern: string) => Promise<readonly MetaRow[]>;
  readonly events?: EngineEvents;
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
  /** Publishes a plan made outside the engine (a backload), raises its alerts; resolves once all is stored. */
  publishPlan(plan: Plan): Promise<number>;
  /** Emits a phase's tasks for a cron slot; resolves once they are stored. */
  fireCron(phase: Phase, slot: Date): Promise<number>;
  /** Work handed over and not finished. */
  readonly inFlight: number;
  /** Resolves when everything handed over so far has finished. */
  drain(): Promise<void>;
}

/** What a piece of work is: it says which handler takes the message. */
type Kind = "done" | "file" | "retry";

/** A message waiting its turn: a record, not a closure (this is made for every message). */
interface Job {
  readonly kind: Kind;
  readonly msg: Inbound;
}

export function createEngine(deps: EngineDeps): Engine {
  const events = deps.events ?? new EngineEvents();
  const maxActive = deps.maxActive ?? 256;
  const maxPublishing = deps.maxPublishing ?? 1024;
  // Counted, not kept in a Set: a Set that keeps taking new promises is rebuilt again and again, and each old copy
  // that V8 moved to the old generation keeps the work that was in it alive until the next full GC.
  let active = 0;
  const waiting = new Fifo<Job>();
  /** Called once nothing runs and nothing waits (`drain`). */
  let drained: (() => void)[] = [];
  const triggering = new Map<string, Promise<void>>();
  let current: Snapshot | null = null;

  const context = (now = deps.clock.now()): PlanContext => ({
    now,
    host: deps.host,
    newId: randomUUID,
    random: seededRandom,
    readMetaFile: deps.readMetaFile,
    failedTopic: deps.subjects.failed || "-",
  });

  /** The context of a cron slot: its phase's meta-file read first, the planner handed the rows or the read's error. */
  const cronContext = async (phase: Phase): Promise<PlanContext> => {
    const pattern = phase.rule.metaFile;
    const load = deps.loadMetaFile;
    if (!pattern || !load) return context();
    const read = await load(pattern).then(
      (rows) => ({ rows }),
      (error: unknown) => ({ error }),
    );
    return {
      ...context(),
      readMetaFile: (asked) => {
        if (asked !== pattern) return deps.readMetaFile(asked);
        if ("error" in read) throw read.error;
        return read.rows;
      },
    };
  };

  /**
   * What a done message is planned with: the snapshot and the context of now. Done messages of a burst arrive many
   * to the millisecond, so one is kept while the clock's millisecond and the snapshot stay the same.
   */
  let doneDeps: DoneDeps | null = null;
  const doneDepsNow = (snapshot: Snapshot): DoneDeps => {
    const now = deps.clock.now();
    if (doneDeps?.snapshot === snapshot && doneDeps.ctx.now.getTime() === now.getTime()) return doneDeps;
    doneDeps = {
      outbox: deps.outbox,
      subjects: deps.subjects,
      events,
      snapshot,
      ctx: context(now),
    };
    return doneDeps;
  };

  const begin = (job: Job): Promise<void> => {
    const { msg } = job;
    if (job.kind === "retry") return releaseRetry(msg, deps.clock.now(), deps.outbox, events);
    if (!current) return Promise.reject(new Error("no workflows loaded yet"));
    if (job.kind === "done") return handleDone(msg, doneDepsNow(current));
    return handleFile(msg, {
      outbox: deps.outbox,
      subjects: deps.subjects,
      events,
      snapshot: current,
      ctx: context(),
      ledger: deps.ledger,
      triggering,
    });
  };

  // One function for every piece of work that ends, not one made per message.
  const finish = () => {
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
    let working: Promise<void>;
    try {
      working = begin(job);
    } catch (err) {
      working = Promise.reject(err);
    }
    working.then(finish, (err: unknown) => {
      // Left unacked on purpose when publishing could not finish: the server redelivers it.
      events.emit({ type: "error", where: job.kind, error: asError(err) });
      try {
        job.msg.nak(1000);
      } catch {
        // The connection is gone; the server redelivers after ack_wait.
      }
      finish();
    });
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
  const track = (kind: Kind, msg: Inbound) => {
    waiting.push({ kind, msg });
    pump();
  };

  return {
    events,
    snapshot: () => current,
    setSnapshot(snapshot) {
      current = snapshot;
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
    async publishPlan(plan) {
      await sendAll(deps.outbox, plan.emissions, deps.subjects, events);
      for (const alert of plan.alerts) events.emit({ type: "alertRaised", alert });
      return plan.emissions.length;
    },
    async fireCron(phase, slot) {
      const plan = planCron(phase, slot, await cronContext(phase));
      await sendAll(deps.outbox, plan.emissions, deps.subjects, events);
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
    async drain() {
      if (active === 0 && waiting.size === 0) return;
      await new Promise<void>((resolve) => drained.push(resolve));
    },
  };
}
