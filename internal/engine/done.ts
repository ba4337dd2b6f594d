/**
 * One done message: parse it, plan what it causes, publish all of it, and only then ack it. When its children read
 * meta-files kept in buckets, those are fetched first; the planning itself stays synchronous.
 *
 * A message that cannot be a task (bad JSON, a wrong field, no result) is recorded in the journal, terminated, so it
 * is not redelivered forever, and reported. A retry that must wait goes to the retry stream; everything else is
 * published at once, and the plan's alerts are recorded in the journal beside it.
 * Every message of the plan is made and its size checked before the first is published: a plan NATS would not take
 * whole throws before anything of it goes out (the engine terminates the done message and reports why). If anything
 * fails to publish for now the message is left unacked and comes back: the same plan gives the same message ids, so
 * what was already stored is not stored twice.
 */
import { type Inbound, storedAt } from "../bus/index.ts";
import { PlanError, TaskParseError } from "../errors/index.ts";
import { AlertKind, type Emission, type Plan, type PlanContext, planDone } from "../plan/index.ts";
import { parseTask, type Task } from "../task/index.ts";
import type { Snapshot } from "../workflow/index.ts";
import type { EngineEvents } from "./events.ts";
import { type Journal, recordAlerts, rejectMessage } from "./journal.ts";
import { type Outbox, outgoing, publishAll, type Sent, type Subjects } from "./outbox.ts";
import { holdRetry, retryRecord } from "./retry.ts";

export interface DoneDeps {
  readonly outbox: Outbox;
  readonly subjects: Subjects;
  readonly events: EngineEvents;
  /** Where the plan's alerts are recorded, with its tasks; without one they are only announced as events. */
  readonly journal?: Journal | undefined;
  readonly snapshot: Snapshot;
  readonly ctx: PlanContext;
  /**
   * The context to plan `task` with once the meta-files kept in buckets that its children read are fetched;
   * undefined when they read none (planning then stays synchronous).
   */
  readonly fetchFor?: (task: Task) => Promise<PlanContext> | undefined;
}

/**
 * The `taskDone` event. Reading `redelivered` parses the reply subject (a split into a dozen strings), so it is read
 * only when a listener asks. A class, not an object literal with a getter: each such literal gets a hidden class of
 * its own, which V8 keeps in the old generation, and that hidden class kept the getter, the message and all its
 * work alive through young-generation GCs until the next full GC (half a MiB promoted per scavenge at 5 000/s).
 */
class TaskDoneEvent {
  readonly type = "taskDone";
  readonly #msg: Inbound;
  constructor(
    readonly task: Task,
    msg: Inbound,
  ) {
    this.#msg = msg;
  }
  get redelivered(): boolean {
    return this.#msg.redelivered;
  }
}

export function handleDone(msg: Inbound, deps: DoneDeps): Promise<void> {
  let task: Task;
  try {
    task = parseTask(msg.data);
  } catch (err) {
    return rejected(msg, err, deps);
  }
  if (deps.events.wants("taskDone")) deps.events.emit(new TaskDoneEvent(task, msg));
  const fetching = deps.fetchFor?.(task);
  if (fetching !== undefined) return fetching.then((ctx) => planAndSend(msg, task, ctx, deps));
  return planAndSend(msg, task, deps.ctx, deps);
}

/** A message that is not a task, or a task that cannot be planned: terminated, so it is not redelivered forever. */
function rejected(msg: Inbound, err: unknown, deps: DoneDeps): Promise<void> {
  if (!(err instanceof TaskParseError || err instanceof PlanError)) return Promise.reject(err);
  return rejectMessage(msg, err.message, deps.journal, deps.events);
}

function planAndSend(msg: Inbound, task: Task, ctx: PlanContext, deps: DoneDeps): Promise<void> {
  const { events } = deps;
  let plan: Plan;
  try {
    plan = planDone(deps.snapshot, task, ctx);
  } catch (err) {
    return rejected(msg, err, deps);
  }
  const { outbox, subjects, journal } = deps;
  const now: Emission[] = [];
  const later: Emission[] = [];
  for (const e of plan.emissions) (e.delayMs > 0 ? later : now).push(e);
  // Made (and checked) all before the first is published; a throw here is the caller's rejection.
  const tasks = now.map((e) => outgoing(outbox, e, subjects));
  const records = later.map((e) => retryRecord(outbox, e, storedAt(msg), subjects));
  // Waiting retries and the alerts are stored beside the tasks (most done messages have neither: no Promise.all
  // then). An alert's id comes from the done message's place in its stream, the same when it is redelivered.
  const sending = publishAll(outbox, tasks, events);
  const alerting =
    plan.alerts.length === 0 || journal === undefined
      ? undefined
      : recordAlerts(journal, plan.alerts, msg.subject, msg.seq);
  const stored =
    records.length === 0 && alerting === undefined
      ? sending
      : Promise.all([sending, alerting, ...records.map((r) => holdRetry(outbox, r, subjects, events))]).then(
          ([sent]) => sent,
        );
  // Chained, not awaited: see `publishAll`.
  return stored.then((sent) => finishDone(msg, plan, sent, events));
}

/** Everything is stored: the alerts and notes, then the ack. */
function finishDone(msg: Inbound, plan: Plan, sent: readonly Sent[], events: EngineEvents): void {
  // An alert goes out once: not again when this message is redelivered and its failed message was stored already.
  const failedAgain = sent.some((s) => s.emission.kind === "failed" && s.ack.duplicate);
  for (const alert of plan.alerts) {
    const repeat = alert.kind === AlertKind.retriesExhausted ? failedAgain : msg.redelivered;
    if (!repeat) events.emit({ type: "alertRaised", alert });
  }
  if (events.wants("planNote")) for (const note of plan.notes) events.emit({ type: "planNote", note });
  msg.ack();
}
