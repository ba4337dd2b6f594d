/**
 * The service, composed: NATS, streams and consumers, the engine, the cron scheduler, workflow reloads. Returns
 * `{ stop, state, ... }`; `stop` drains (intake first, then the work in flight, then the connection) and is idempotent.
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  connectNats,
  consumeDurable,
  ensureConsumer,
  ensureStream,
  type Intake,
  kvSlotStore,
  Publisher,
  type StreamLimits,
  type StreamState,
} from "../../internal/bus/index.ts";
import { systemClock } from "../../internal/clock/index.ts";
import type { Config } from "../../internal/config/index.ts";
import {
  type ActionEntry,
  createEngine,
  type Engine,
  type EngineEvents,
  type Subjects,
} from "../../internal/engine/index.ts";
import { hasErrors, type Problem } from "../../internal/errors/index.ts";
import { kvFileLedger } from "../../internal/files/index.ts";
import { createScheduler, type ScheduleEvent, type Scheduler } from "../../internal/schedule/index.ts";
import {
  loadMetaFile,
  loadSnapshot,
  readMetaFile,
  type Snapshot,
  type WorkflowWatcher,
  watchWorkflows,
} from "../../internal/workflow/index.ts";
import { type Alerts, startAlerting } from "./alerts.ts";
import { auditStream, auditSubject } from "./audit.ts";
import { type Cache, startCache } from "./cache.ts";
import { localFilesSubject, watchLocalFiles } from "./localfiles.ts";

/** Where waiting retries live; internal to taskmaster. */
export const retryStream = "TASKMASTER_RETRY";
export const retrySubject = "taskmaster.retry";
export const cronBucket = "taskmaster_cron";

const doneDurable = "taskmaster-done";
const filesDurable = "taskmaster-files";
const retryDurable = "taskmaster-retry";

export interface ServiceState {
  readonly nats: "connected" | "disconnected" | "reconnecting" | "closed";
  readonly workflows: number;
  readonly phases: number;
  readonly ready: boolean;
  readonly startedAt: Date;
  /** The history cache: ok, degraded (with why) or off. Never part of readiness: scheduling does not need it. */
  readonly cache: {
    readonly mode: "ok" | "degraded" | "off";
    readonly reason: string;
    readonly pending: number;
  };
}

export interface Service {
  readonly engine: Engine;
  readonly events: EngineEvents;
  readonly scheduler: Scheduler;
  /** The history cache, unless `cache.path` is "". */
  readonly cache: Cache | undefined;
  readonly alerts: Alerts;
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

export async function startService(config: Config, cwd: string, events?: EngineEvents): Promise<Service> {
  const root = resolve(cwd, config.workflow);
  const first = await loadSnapshot(root);
  if (hasErrors(first.problems))
    throw new StartupError(`the workflows in ${config.workflow} have errors`, first.problems);
  const clash = subjectClash(first, config);
  if (clash) throw new StartupError(clash);

  const nc = await connectNats({ ...config.nats, connectTimeoutMs: config.nats.connectTimeout });
  const subjects: Subjects = {
    taskPrefix: config.nats.subjectPrefix,
    failed: config.failedTopic,
    retry: retrySubject,
  };
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, config, first);
  const publisher = new Publisher(nc, {
    onRetry: (subject, attempt, reason) =>
      engine.events.emit({ type: "publishRetried", subject, attempt, reason }),
  });
  const ledger = await kvFileLedger(nc, {
    bucket: config.files.bucket,
    retentionMs: config.files.retention,
    replicas: config.streams.replicas,
  });
  const engine = createEngine({
    outbox: publisher,
    subjects,
    clock: systemClock,
    host: config.host,
    readMetaFile: (pattern) => readMetaFile(pattern, cwd),
    loadMetaFile: (pattern) => loadMetaFile(pattern, cwd),
    ledger,
    ...(events ? { events } : {}),
  });
  engine.setSnapshot(first);
  // Before any intake, so the first events are recorded; a restore or rebuild happens here too.
  const cache = await startCache({
    config,
    cwd,
    nc,
    events: engine.events,
    snapshot: () => engine.snapshot(),
  });
  const alerts = await startAlerting(config, nc, engine.events, cache);

  const scheduler = createScheduler({
    clock: systemClock,
    store: await kvSlotStore(nc, cronBucket, config.streams.replicas),
    fire: async (phase, slot) => {
      await engine.fireCron(phase, slot);
    },
    onEvent: (e) => scheduleEvent(engine.events, e),
  });
  await scheduler.start(first);

  const js = jetstream(nc);
  const intakes: Intake[] = [
    await consumeDurable(js, config.streams.done, doneDurable, (m) => engine.onDone(m)),
    await consumeDurable(js, retryStream, retryDurable, (m) => engine.onRetry(m), { maxMessages: 10_000 }),
    await consumeDurable(js, config.streams.files, filesDurable, (m) => engine.onFile(m)),
  ];
  const local = config.files.watch
    ? watchLocalFiles({ config, snapshot: first, publisher, ledger, events: engine.events })
    : undefined;

  const watcher = watchWorkflows({
    root,
    initial: first,
    rescanMs: config.refresh,
    onReload: (snapshot, changed) => void applyReload(snapshot, changed),
    onRejected: (problems) => engine.events.emit({ type: "workflowsRejected", problems }),
    onError: (error) => engine.events.emit({ type: "error", where: "workflow watcher", error }),
  });

  async function applyReload(snapshot: Snapshot, changed: readonly string[]): Promise<void> {
    const problem = subjectClash(snapshot, config);
    if (problem) {
      const clashProblem: Problem = {
        severity: "error",
        workflow: "",
        phase: "",
        key: "task",
        message: problem,
      };
      engine.events.emit({ type: "workflowsRejected", problems: [clashProblem] });
      return;
    }
    try {
      await ensureStreams(jsm, config, snapshot);
      engine.setSnapshot(snapshot);
      await scheduler.update(snapshot);
      local?.update(snapshot);
      const phases = snapshot.phases.length;
      engine.events.emit({ type: "workflowsReloaded", workflows: snapshot.workflows.size, phases, changed });
    } catch (err) {
      engine.events.emit({ type: "error", where: "workflow reload", error: err as Error });
    }
  }

  const startedAt = new Date();
  let nats: ServiceState["nats"] = "connected";
  void watchStatus(nc, engine.events, (s) => {
    nats = s;
  });

  let stopping: Promise<void> | undefined;
  return {
    engine,
    events: engine.events,
    scheduler,
    cache,
    alerts,
    state() {
      const snapshot = engine.snapshot();
      const workflows = snapshot?.workflows.size ?? 0;
      const c = cache?.state();
      return {
        nats,
        workflows,
        phases: snapshot?.phases.length ?? 0,
        ready: nats === "connected" && !!snapshot,
        startedAt,
        cache: c
          ? { mode: c.mode, reason: c.reason, pending: c.pending }
          : { mode: "off", reason: "", pending: 0 },
      };
    },
    reload: () => watcher.reload(),
    async streams() {
      const s = config.streams;
      const names = [
        s.tasks,
        s.done,
        s.files,
        retryStream,
        auditStream,
        ...(config.failedTopic ? [s.failed] : []),
      ];
      const durables: Record<string, string> = {
        [s.done]: doneDurable,
        [s.files]: filesDurable,
        [retryStream]: retryDurable,
      };
      return Promise.all(
        names.map(async (name): Promise<StreamState> => {
          try {
            const info = await jsm.streams.info(name);
            const durable = durables[name];
            const consumer = durable ? await jsm.consumers.info(name, durable) : undefined;
            return {
              name,
              subjects: info.config.subjects ?? [],
              messages: info.state.messages,
              bytes: info.state.bytes,
              consumers: consumer
                ? [
                    {
                      name: consumer.name,
                      pending: consumer.num_pending,
                      ackPending: consumer.num_ack_pending,
                      redelivered: consumer.num_redelivered,
                    },
                  ]
                : [],
              problem: "",
            };
          } catch (err) {
            const problem = (err as Error).message;
            return { name, subjects: [], messages: 0, bytes: 0, consumers: [], problem };
          }
        }),
      );
    },
    async audit(entry) {
      const at = new Date();
      const record = { ...entry, detail: JSON.stringify(entry.detail ?? {}), at };
      const data = new TextEncoder().encode(JSON.stringify({ ...record, at: at.toISOString() }));
      const id = `audit|${at.toISOString()}|${entry.actor}|${entry.action}|${record.detail}`;
      await publisher.publish(auditSubject, data, createHash("sha256").update(id).digest("hex"));
      engine.events.emit({ type: "actionTaken", ...record });
    },
    stop() {
      stopping ??= (async () => {
        await watcher.close();
        await local?.close();
        await scheduler.stop();
        await Promise.all(intakes.map((i) => i.stop()));
        await engine.drain();
        await alerts.stop();
        await cache?.stop(); // writes what is queued, takes the shutdown backup
        publisher.close();
        await nc.drain().catch(() => undefined);
      })();
      return stopping;
    },
  };
}

/** The streams taskmaster needs, with the task subjects of `snapshot`. */
async function ensureStreams(
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  config: Config,
  snapshot: Snapshot,
): Promise<void> {
  const s = config.streams;
  const limits: StreamLimits = {
    maxAgeMs: s.maxAge,
    maxBytes: s.maxBytes,
    duplicateWindowMs: s.duplicateWindow,
    replicas: s.replicas,
  };
  const specs = [
    {
      name: s.tasks,
      subjects: taskSubjects(snapshot, config.nats.subjectPrefix),
      description: "tasks for workers",
    },
    { name: s.done, subjects: [config.doneTopic], description: "finished tasks from workers" },
    { name: retryStream, subjects: [retrySubject], description: "retries waiting for their time" },
    { name: auditStream, subjects: [auditSubject], description: "people's actions: who, what, when" },
  ];
  if (config.failedTopic)
    specs.push({ name: s.failed, subjects: [config.failedTopic], description: "exhausted retries" });
  const fileSubjects = [...(config.fileTopic ? [config.fileTopic] : []), localFilesSubject];
  specs.push({ name: s.files, subjects: fileSubjects, description: "file arrivals" });
  for (const spec of specs) if (spec.subjects.length > 0) await ensureStream(jsm, spec, limits);
  // Every subject of the files stream: the files topic and taskmaster's own local arrivals. A file message takes
  // milliseconds; one left unacked by a crash comes back after ack_wait, so that is kept short.
  await ensureConsumer(jsm, {
    stream: s.files,
    durable: filesDurable,
    filterSubject: "",
    ackWaitMs: 10_000,
    maxAckPending: 1024,
  });
  // The engine works on 256 done messages at once (`maxActive`); 256 more wait delivered, so the next is always at
  // hand. Messages that wait long outlive two young-generation collections and are moved to the old generation: with
  // 2048, 60 000 done messages took 8 full collections instead of 2, and in a harness like `make bench`'s throughput
  // step (runs alternating, cache off) the median of 8 runs was 12 % lower. A consumer that still has the 2048 of
  // earlier versions is moved to 512.
  await ensureConsumer(jsm, {
    stream: s.done,
    durable: doneDurable,
    filterSubject: config.doneTopic,
    ackWaitMs: 30_000,
    maxAckPending: 512,
    formerMaxAckPending: [2048],
  });
  // Waiting retries are delivered and held (negatively acked with a delay) until due: no limit on how many.
  await ensureConsumer(jsm, {
    stream: retryStream,
    durable: retryDurable,
    filterSubject: retrySubject,
    ackWaitMs: 30_000,
    maxAckPending: -1,
  });
}

/** With a prefix ending in `.` one wildcard takes every task; otherwise each topic is listed. */
export function taskSubjects(snapshot: Snapshot, prefix: string): string[] {
  if (prefix.endsWith(".")) return [`${prefix}>`];
  return [...new Set(snapshot.phases.map((p) => `${prefix}${p.topic}`))].sort();
}

/** A task subject that is also one of taskmaster's own would loop tasks into the done or failed stream. */
export function subjectClash(snapshot: Snapshot, config: Config): string | undefined {
  const own = new Map([
    [config.doneTopic, "done_topic"],
    [config.fileTopic, "file_topic"],
    [config.failedTopic, "failed_topic"],
    [retrySubject, "taskmaster's retry subject"],
    [localFilesSubject, "taskmaster's local files subject"],
    [auditSubject, "taskmaster's audit subject"],
  ]);
  own.delete("");
  for (const phase of snapshot.phases) {
    const subject = `${config.nats.subjectPrefix}${phase.topic}`;
    const name = own.get(subject);
    if (name)
      return `${phase.workflow}: ${phase.key}: its subject "${subject}" is the ${name}; rename the topic`;
  }
  return undefined;
}

function scheduleEvent(events: EngineEvents, e: ScheduleEvent): void {
  if (e.type === "cronSkipped") {
    events.emit({
      type: "cronSkipped",
      workflow: e.workflow,
      phase: e.phase,
      skipped: e.skipped,
      ...(e.firstSkipped ? { firstSkipped: e.firstSkipped } : {}),
      ...(e.lastSkipped ? { lastSkipped: e.lastSkipped } : {}),
    });
  } else if (e.type === "cronFailed") {
    events.emit({
      type: "error",
      where: `cron ${e.workflow}: ${e.phase} at ${e.slot.toISOString()}`,
      error: e.error,
    });
  } else if (e.type === "cronStoreFailed") {
    events.emit({
      type: "error",
      where: `cron slot store (${e.operation}) for ${e.workflow}: ${e.phase}`,
      error: e.error,
    });
  }
  // cronFired comes from the engine, which knows how many tasks the slot emitted.
}

async function watchStatus(
  nc: NatsConnection,
  events: EngineEvents,
  set: (s: ServiceState["nats"]) => void,
): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === "disconnect") set("disconnected");
    else if (status.type === "reconnecting") set("reconnecting");
    else if (status.type === "reconnect") set("connected");
    else if (status.type === "close") set("closed");
    else continue;
    const detail = "server" in status ? String(status.server) : "";
    events.emit({ type: "natsStatus", status: status.type, detail });
  }
  set("closed");
}
