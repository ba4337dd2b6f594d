/**
 * The engine role, composed: NATS, streams and consumers, the engine, the cron scheduler, the intakes (done, retry
 * and file messages, local files), workflow reloads and the instance heartbeat. It knows nothing of the history: what
 * the history shows, it reads from the streams (tasks, done, the journal, the audit trail).
 *
 * The workflows are checked first; then NATS is waited for (each failed attempt reported as `natsConnectFailed`), and
 * the parts are built on the connection once it answers, in order, each recorded with what stops it (`parts.ts`):
 * `stop` drains in the reverse order (intake first, then the work in flight, then the connection) and is idempotent,
 * and a start that fails part-way stops what had started.
 */
import { resolve } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  connectPersistently,
  consumeDurable,
  kvSlotStore,
  Publisher,
  type StreamState,
} from "../../internal/bus/index.ts";
import { type Clock, systemClock } from "../../internal/clock/index.ts";
import type { Config } from "../../internal/config/index.ts";
import {
  type ActionEntry,
  asError,
  createEngine,
  type Engine,
  EngineEvents,
  publishingJournal,
  recordAction,
  recordNotStored,
  recordReload,
  recordReloadRejected,
  watchStuck,
} from "../../internal/engine/index.ts";
import { hasErrors, type Problem } from "../../internal/errors/index.ts";
import { kvFileLedger } from "../../internal/files/index.ts";
import { metaFileProblems, remoteMetaFiles } from "../../internal/metafiles/index.ts";
import { createScheduler, type Scheduler } from "../../internal/schedule/index.ts";
import {
  loadSnapshot,
  type Snapshot,
  subjectClash,
  type WorkflowWatcher,
  watchWorkflows,
} from "../../internal/workflow/index.ts";
import { closeConnection, type NatsState, watchStatus } from "./connection.ts";
import { cronHooks } from "./cron.ts";
import { type Instance, startInstance } from "./instance.ts";
import { watchLocalFiles } from "./localfiles.ts";
import { compose, type Parts } from "./parts.ts";
import { planningOptions } from "./planning.ts";
import {
  doneDurable,
  ensureStreams,
  filesDurable,
  ownSubjects,
  retryDurable,
  retryStream,
  streamStates,
} from "./streams.ts";

export const cronBucket = "taskmaster_cron";

export interface EngineState {
  readonly nats: NatsState;
  readonly workflows: number;
  readonly phases: number;
  /** Connected, workflows loaded, and the engine not stuck. */
  readonly ready: boolean;
  readonly startedAt: Date;
  readonly engine: {
    /** Messages taken and not finished: worked on, or waiting for one of the engine's slots. */
    readonly inFlight: number;
    /** Publishes awaiting their acks. */
    readonly publishing: number;
    /** How long the oldest message worked on has been held, in milliseconds. */
    readonly oldestMs: number;
    /** True while that is past `engine.stuck_after`. */
    readonly stuck: boolean;
  };
}

export interface EngineRole {
  readonly engine: Engine;
  /** This engine's id: its key in the instances bucket, the `instance` of its answers to reload requests. */
  readonly instance: string;
  readonly events: EngineEvents;
  readonly scheduler: Scheduler;
  /** Where the engine's time comes from. */
  readonly clock: Clock;
  state(): EngineState;
  reload(): ReturnType<WorkflowWatcher["reload"]>;
  /** The state of taskmaster's streams and durable consumers, as NATS reports it now. */
  streams(): Promise<StreamState[]>;
  /** Records an action (who, what, when, outcome): stored on the audit stream, then announced as `actionTaken`. */
  audit(action: ActionEntry): Promise<void>;
  stop(): Promise<void>;
}

export class StartupError extends Error {
  override readonly name = "StartupError";
  readonly problems: readonly Problem[];
  constructor(message: string, problems: readonly Problem[] = []) {
    super(message);
    this.problems = problems;
  }
}

export interface StartOptions {
  /** Aborting gives up waiting for NATS: `startEngine` rejects with `ConnectAbortedError`. */
  readonly signal?: AbortSignal;
  /** Where every part's time comes from (default: the system's); tests pass a clock they move. */
  readonly clock?: Clock;
}

export async function startEngine(
  config: Config,
  cwd: string,
  events: EngineEvents = new EngineEvents(),
  options: StartOptions = {},
): Promise<EngineRole> {
  const first = await loadWorkflows(config, cwd);
  const nc = await connectPersistently(
    { ...config.nats, connectTimeoutMs: config.nats.connectTimeout },
    {
      ...(options.signal ? { signal: options.signal } : {}),
      onFailure: (failure) => events.emit({ type: "natsConnectFailed", ...failure }),
    },
  );
  return compose((parts) => {
    // A start that fails closes the connection at once: there is nothing of it to drain yet.
    let started = false;
    parts.add("the NATS connection", nc, (c) => (started ? closeConnection(c) : c.close()));
    return build(parts, config, cwd, first, nc, events, options.clock ?? systemClock).then((role) => {
      started = true;
      return role;
    });
  });
}

/** The workflows the engine starts with; a set with errors, or whose subjects clash with taskmaster's, is refused. */
async function loadWorkflows(config: Config, cwd: string): Promise<Snapshot> {
  const first = await loadSnapshot(resolve(cwd, config.workflow));
  if (hasErrors(first.problems))
    throw new StartupError(`the workflows in ${config.workflow} have errors`, first.problems);
  const clash = subjectClash(first, config.nats.subjectPrefix, ownSubjects(config));
  if (clash) throw new StartupError(clash);
  const unreadable = metaFileProblems(first.phases, config.cache);
  if (unreadable.length > 0)
    throw new StartupError(
      `the workflows in ${config.workflow} have meta-files that cannot be read`,
      unreadable,
    );
  return first;
}

/** Builds and starts every part on a connection that is up, recording each in `parts`. */
async function build(
  parts: Parts,
  config: Config,
  cwd: string,
  first: Snapshot,
  nc: NatsConnection,
  events: EngineEvents,
  clock: Clock,
): Promise<EngineRole> {
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, config, first);
  const publisher = parts.add(
    "the publisher",
    new Publisher(nc, {
      onRetry: (subject, attempt, reason, msgId) => {
        events.emit({ type: "publishRetried", subject, attempt, reason });
        recordNotStored(journal, events, { subject, attempt, reason, msgId });
      },
    }),
    (p) => p.close(),
  );
  const journal = publishingJournal(publisher, clock);
  const ledger = parts.add(
    "the file ledger",
    await kvFileLedger(nc, {
      bucket: config.files.bucket,
      retentionMs: config.files.retention,
      replicas: config.streams.replicas,
      publisher,
    }),
    (l) => l.close?.(),
  );
  const remoteFiles = parts.add("remote meta-files", remoteMetaFiles({ access: config.cache }), (r) =>
    r.close(),
  );
  const engine = createEngine({
    ...planningOptions(config, cwd, remoteFiles),
    outbox: publisher,
    clock,
    ledger,
    events,
    journal,
  });
  engine.setSnapshot(first);
  await recordReload(journal, null, first);
  const stuck = parts.add(
    "the stuck watch",
    watchStuck(engine, { stuckAfterMs: config.engine.stuckAfter, clock, events, journal }),
    (s) => s.stop(),
  );
  // Stopped after the scheduler and the intakes (added after it): the work they handed in is finished first.
  parts.add("the work in flight", engine, (e) => e.drain());

  const scheduler = parts.add(
    "the scheduler",
    createScheduler({
      clock,
      store: await kvSlotStore(nc, cronBucket, config.streams.replicas),
      ...cronHooks(engine, journal),
    }),
    (s) => s.stop(),
  );
  await scheduler.start(first);

  const js = jetstream(nc);
  const intake = async (name: string, start: ReturnType<typeof consumeDurable>) =>
    parts.add(name, await start, (i) => i.stop());
  await intake(
    "done intake",
    consumeDurable(js, config.streams.done, doneDurable, (m) => engine.onDone(m)),
  );
  await intake(
    "retry intake",
    consumeDurable(js, retryStream, retryDurable, (m) => engine.onRetry(m), { maxMessages: 10_000 }),
  );
  await intake(
    "files intake",
    consumeDurable(js, config.streams.files, filesDurable, (m) => engine.onFile(m)),
  );
  const local = config.files.watch
    ? parts.add(
        "local files",
        watchLocalFiles({ config, snapshot: first, publisher, ledger, events, clock }),
        (l) => l.close(),
      )
    : undefined;

  const watcher = parts.add(
    "the workflow watcher",
    watchWorkflows({
      root: resolve(cwd, config.workflow),
      initial: first,
      rescanMs: config.refresh,
      clock,
      onReload: (snapshot, changed) => applyReload(snapshot, changed),
      onRejected: (problems) => refuse(problems),
      onError: (error) => events.emit({ type: "error", where: "workflow watcher", error }),
    }),
    (w) => w.close(),
  );

  /** Puts a set that loaded without errors to use, unless its subjects clash or its meta-files cannot be read. */
  async function applyReload(snapshot: Snapshot, changed: readonly string[]): Promise<readonly Problem[]> {
    const problem = subjectClash(snapshot, config.nats.subjectPrefix, ownSubjects(config));
    const refused: readonly Problem[] = problem
      ? [{ severity: "error", workflow: "", phase: "", key: "task", message: problem }]
      : metaFileProblems(snapshot.phases, config.cache);
    if (refused.length > 0) {
      await refuse(refused);
      return refused;
    }
    try {
      const previous = engine.snapshot();
      await ensureStreams(jsm, config, snapshot);
      engine.setSnapshot(snapshot);
      await scheduler.update(snapshot);
      local?.update(snapshot);
      const phases = snapshot.phases.length;
      events.emit({ type: "workflowsReloaded", workflows: snapshot.workflows.size, phases, changed });
      await recordReload(journal, previous, snapshot, changed);
    } catch (err) {
      events.emit({ type: "error", where: "workflow reload", error: asError(err) });
    }
    return [];
  }

  /** A set refused: reported and recorded; the set in use stays. */
  async function refuse(problems: readonly Problem[]): Promise<void> {
    events.emit({ type: "workflowsRejected", problems });
    await recordReloadRejected(journal, engine.snapshot(), problems).catch((error: unknown) =>
      events.emit({ type: "error", where: "journal", error: asError(error) }),
    );
  }

  const startedAt = clock.now();
  let nats: NatsState = "connected";
  void watchStatus(nc, events, (s) => {
    nats = s;
  });
  const state = (): EngineState => {
    const snapshot = engine.snapshot();
    const isStuck = stuck.stuck();
    return {
      nats,
      workflows: snapshot?.workflows.size ?? 0,
      phases: snapshot?.phases.length ?? 0,
      ready: nats === "connected" && !!snapshot && !isStuck,
      startedAt,
      engine: {
        inFlight: engine.inFlight,
        publishing: publisher.inFlight,
        oldestMs: engine.oldestMs(),
        stuck: isStuck,
      },
    };
  };

  const instance: Instance = parts.add(
    "the instance heartbeat",
    await startInstance({
      nc,
      clock,
      replicas: config.streams.replicas,
      events,
      state,
      reload: () => watcher.reload(),
    }),
    (i) => i.stop(),
  );
  return {
    engine,
    instance: instance.id,
    events,
    scheduler,
    clock,
    state,
    reload: () => watcher.reload(),
    streams: () => streamStates(jsm, config),
    async audit(entry) {
      const record = await recordAction(publisher, entry, clock.now());
      events.emit({ type: "actionTaken", ...record });
    },
    stop: () => parts.stop(),
  };
}
