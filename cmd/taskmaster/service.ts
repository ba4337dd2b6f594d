/**
 * The service, composed: NATS, streams and consumers, the engine, the cron scheduler, workflow reloads. The workflows
 * are checked first; then NATS is waited for (each failed attempt reported as `natsConnectFailed`), and the parts that
 * need it are built once it answers. Returns `{ stop, state, ... }`; `stop` drains (intake first, then the work in
 * flight, then the connection) and is idempotent.
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { isBucketUrl } from "../../internal/bucket/index.ts";
import {
  connectPersistently,
  consumeDurable,
  type Intake,
  kvSlotStore,
  Publisher,
  reloadSubject,
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
  recordNotStored,
  recordReload,
  recordReloadRejected,
  type Subjects,
  watchStuck,
} from "../../internal/engine/index.ts";
import { hasErrors, type Problem } from "../../internal/errors/index.ts";
import { kvFileLedger } from "../../internal/files/index.ts";
import { journalSubjectPrefix } from "../../internal/journal/index.ts";
import { metaFileProblems, metaFileSource, remoteMetaFiles } from "../../internal/metafiles/index.ts";
import { createScheduler, type Scheduler } from "../../internal/schedule/index.ts";
import {
  loadMetaFile,
  loadSnapshot,
  readMetaFile,
  type Snapshot,
  type WorkflowWatcher,
  watchWorkflows,
} from "../../internal/workflow/index.ts";
import { type Alerts, startAlerting } from "./alerts.ts";
import { auditSubject } from "./audit.ts";
import { type Cache, startCache } from "./cache.ts";
import { closeConnection, type NatsState, watchStatus } from "./connection.ts";
import { cronHooks } from "./cron.ts";
import { type Instance, startInstance } from "./instance.ts";
import { localFilesSubject, watchLocalFiles } from "./localfiles.ts";
import {
  doneDurable,
  ensureStreams,
  filesDurable,
  retryDurable,
  retryStream,
  retrySubject,
  streamStates,
} from "./streams.ts";

export const cronBucket = "taskmaster_cron";

export interface ServiceState {
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
  /** The history cache: ok, degraded (with why) or off. Never part of readiness: scheduling does not need it. */
  readonly cache: {
    readonly mode: "ok" | "degraded" | "off";
    readonly reason: string;
    readonly pending: number;
  };
}

export interface Service {
  readonly engine: Engine;
  /** This engine's id: its key in the instances bucket, the `instance` of its answers to reload requests. */
  readonly instance: string;
  readonly events: EngineEvents;
  readonly scheduler: Scheduler;
  /** The history cache, unless `cache.path` is "". */
  readonly cache: Cache | undefined;
  readonly alerts: Alerts;
  /** Where the service's time comes from. */
  readonly clock: Clock;
  state(): ServiceState;
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
  /** Aborting gives up waiting for NATS: `startService` rejects with `ConnectAbortedError`. */
  readonly signal?: AbortSignal;
  /** Where every part's time comes from (default: the system's); tests pass a clock they move. */
  readonly clock?: Clock;
}

export async function startService(
  config: Config,
  cwd: string,
  events: EngineEvents = new EngineEvents(),
  options: StartOptions = {},
): Promise<Service> {
  const first = await loadWorkflows(config, cwd);
  const nc = await connectPersistently(
    { ...config.nats, connectTimeoutMs: config.nats.connectTimeout },
    {
      ...(options.signal ? { signal: options.signal } : {}),
      onFailure: (failure) => events.emit({ type: "natsConnectFailed", ...failure }),
    },
  );
  try {
    return await compose(config, cwd, first, nc, events, options.clock ?? systemClock);
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw err;
  }
}

/** The workflows the service starts with; a set with errors, or whose subjects clash with taskmaster's, is refused. */
async function loadWorkflows(config: Config, cwd: string): Promise<Snapshot> {
  const first = await loadSnapshot(resolve(cwd, config.workflow));
  if (hasErrors(first.problems))
    throw new StartupError(`the workflows in ${config.workflow} have errors`, first.problems);
  const clash = subjectClash(first, config);
  if (clash) throw new StartupError(clash);
  const unreadable = metaFileProblems(first.phases, config.cache);
  if (unreadable.length > 0)
    throw new StartupError(
      `the workflows in ${config.workflow} have meta-files that cannot be read`,
      unreadable,
    );
  return first;
}

/** Builds and starts every part on a connection that is up. */
async function compose(
  config: Config,
  cwd: string,
  first: Snapshot,
  nc: NatsConnection,
  events: EngineEvents,
  clock: Clock,
): Promise<Service> {
  const root = resolve(cwd, config.workflow);
  const subjects: Subjects = {
    taskPrefix: config.nats.subjectPrefix,
    failed: config.failedTopic,
    retry: retrySubject,
  };
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, config, first);
  const publisher = new Publisher(nc, {
    onRetry: (subject, attempt, reason, msgId) => {
      engine.events.emit({ type: "publishRetried", subject, attempt, reason });
      recordNotStored(journal, engine.events, { subject, attempt, reason, msgId });
    },
  });
  const journal = publishingJournal(publisher, clock);
  const ledger = await kvFileLedger(nc, {
    bucket: config.files.bucket,
    retentionMs: config.files.retention,
    replicas: config.streams.replicas,
    publisher,
  });
  const remoteFiles = remoteMetaFiles({ access: config.cache });
  const engine = createEngine({
    outbox: publisher,
    subjects,
    clock,
    host: config.host,
    readMetaFile: (pattern) => readMetaFile(pattern, cwd),
    metaFiles: metaFileSource({
      remote: remoteFiles,
      isRemote: isBucketUrl,
      loadLocal: (pattern) => loadMetaFile(pattern, cwd),
    }),
    ledger,
    events,
    journal,
  });
  engine.setSnapshot(first);
  await recordReload(journal, null, first);
  const stuck = watchStuck(engine, {
    stuckAfterMs: config.engine.stuckAfter,
    clock,
    events: engine.events,
    journal,
  });
  // Before any intake, so the first events are recorded; a restore or rebuild happens here too.
  const cache = await startCache({
    config,
    cwd,
    nc,
    events: engine.events,
    snapshot: () => engine.snapshot(),
  });
  const alerts = await startAlerting(config, nc, engine.events, cache, clock);

  const scheduler = createScheduler({
    clock,
    store: await kvSlotStore(nc, cronBucket, config.streams.replicas),
    ...cronHooks(engine, journal),
  });
  await scheduler.start(first);

  const js = jetstream(nc);
  const intakes: Intake[] = [
    await consumeDurable(js, config.streams.done, doneDurable, (m) => engine.onDone(m)),
    await consumeDurable(js, retryStream, retryDurable, (m) => engine.onRetry(m), { maxMessages: 10_000 }),
    await consumeDurable(js, config.streams.files, filesDurable, (m) => engine.onFile(m)),
  ];
  const local = config.files.watch
    ? watchLocalFiles({ config, snapshot: first, publisher, ledger, events: engine.events, clock })
    : undefined;

  const watcher = watchWorkflows({
    root,
    initial: first,
    rescanMs: config.refresh,
    clock,
    onReload: (snapshot, changed) => applyReload(snapshot, changed),
    onRejected: (problems) => refuse(problems),
    onError: (error) => engine.events.emit({ type: "error", where: "workflow watcher", error }),
  });

  /** Puts a set that loaded without errors to use, unless its subjects clash or its meta-files cannot be read. */
  async function applyReload(snapshot: Snapshot, changed: readonly string[]): Promise<readonly Problem[]> {
    const problem = subjectClash(snapshot, config);
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
      engine.events.emit({ type: "workflowsReloaded", workflows: snapshot.workflows.size, phases, changed });
      await recordReload(journal, previous, snapshot, changed);
    } catch (err) {
      engine.events.emit({ type: "error", where: "workflow reload", error: asError(err) });
    }
    return [];
  }

  /** A set refused: reported and recorded; the set in use stays. */
  async function refuse(problems: readonly Problem[]): Promise<void> {
    engine.events.emit({ type: "workflowsRejected", problems });
    await recordReloadRejected(journal, engine.snapshot(), problems).catch((error: unknown) =>
      engine.events.emit({ type: "error", where: "journal", error: asError(error) }),
    );
  }

  const startedAt = clock.now();
  let nats: NatsState = "connected";
  void watchStatus(nc, engine.events, (s) => {
    nats = s;
  });
  const state = (): ServiceState => {
    const snapshot = engine.snapshot();
    const workflows = snapshot?.workflows.size ?? 0;
    const c = cache?.state();
    const isStuck = stuck.stuck();
    return {
      nats,
      workflows,
      phases: snapshot?.phases.length ?? 0,
      ready: nats === "connected" && !!snapshot && !isStuck,
      startedAt,
      engine: {
        inFlight: engine.inFlight,
        publishing: publisher.inFlight,
        oldestMs: engine.oldestMs(),
        stuck: isStuck,
      },
      cache: c
        ? { mode: c.mode, reason: c.reason, pending: c.pending }
        : { mode: "off", reason: "", pending: 0 },
    };
  };

  let instance: Instance | undefined;
  let stopping: Promise<void> | undefined;
  const service: Service = {
    engine,
    get instance() {
      return instance?.id ?? "";
    },
    events: engine.events,
    scheduler,
    cache,
    alerts,
    clock,
    state,
    reload: () => watcher.reload(),
    streams: () => streamStates(jsm, config),
    async audit(entry) {
      const at = clock.now();
      const record = { ...entry, detail: JSON.stringify(entry.detail ?? {}), at };
      const data = new TextEncoder().encode(JSON.stringify({ ...record, at: at.toISOString() }));
      const id = `audit|${at.toISOString()}|${entry.actor}|${entry.action}|${record.detail}`;
      await publisher.publish(auditSubject, data, createHash("sha256").update(id).digest("hex"));
      engine.events.emit({ type: "actionTaken", ...record });
    },
    stop() {
      stopping ??= (async () => {
        instance?.stop();
        await watcher.close();
        await local?.close();
        await scheduler.stop();
        await Promise.all(intakes.map((i) => i.stop()));
        await engine.drain();
        stuck.stop();
        remoteFiles.close();
        await alerts.stop();
        await cache?.stop(); // writes what is queued, takes the shutdown backup
        ledger.close?.();
        publisher.close();
        await closeConnection(nc);
      })();
      return stopping;
    },
  };
  try {
    instance = await startInstance({
      nc,
      clock,
      replicas: config.streams.replicas,
      events: engine.events,
      state,
      reload: () => watcher.reload(),
    });
  } catch (err) {
    // Everything else is running: stopped in order, so nothing is left behind.
    await service.stop().catch(() => undefined);
    throw err;
  }
  return service;
}

/**
 * A task subject that is also one of taskmaster's own would loop tasks into the done or failed stream, or into the
 * journal's.
 */
export function subjectClash(snapshot: Snapshot, config: Config): string | undefined {
  const own = new Map([
    [config.doneTopic, "done_topic"],
    [config.fileTopic, "file_topic"],
    [config.failedTopic, "failed_topic"],
    [retrySubject, "taskmaster's retry subject"],
    [localFilesSubject, "taskmaster's local files subject"],
    [auditSubject, "taskmaster's audit subject"],
    [reloadSubject, "taskmaster's reload request subject"],
  ]);
  own.delete("");
  for (const phase of snapshot.phases) {
    const subject = `${config.nats.subjectPrefix}${phase.topic}`;
    const journal = subject.startsWith(journalSubjectPrefix) ? "taskmaster's journal subject" : undefined;
    const name = own.get(subject) ?? journal;
    if (name)
      return `${phase.workflow}: ${phase.key}: its subject "${subject}" is the ${name}; rename the topic`;
  }
  return undefined;
}
