/**
 * People's actions served by the history: retry, re-run, launch and backload are planned by the planner the engines
 * use and published through the same publish path (the engine's outbox on the history's own connection, task
 * headers and message ids alike), with the workflows the history loads from `workflow` and follows as they change.
 * Each action is recorded on the audit stream with the record and message id the engines use.
 */
import { resolve } from "node:path";
import {
  type BackloadResult,
  BackloadUnavailable,
  type LaunchBody,
  type Page,
  type RerunResult,
} from "../../handler/index.ts";
import type { Publisher } from "../../internal/bus/index.ts";
import type { TaskRow } from "../../internal/cache/index.ts";
import type { Clock } from "../../internal/clock/index.ts";
import type { Config } from "../../internal/config/index.ts";
import {
  type ActionEntry,
  asError,
  backloadRunner,
  createEngine,
  type EngineEvents,
  publishingJournal,
  recordAction,
} from "../../internal/engine/index.ts";
import { hasErrors, type Problem } from "../../internal/errors/index.ts";
import { remoteMetaFiles } from "../../internal/metafiles/index.ts";
import { downstreamOf, launchMetaFiles, planLaunch, planRerun } from "../../internal/plan/index.ts";
import {
  loadSnapshot,
  type Snapshot,
  subjectClash,
  type WorkflowWatcher,
  watchWorkflows,
} from "../../internal/workflow/index.ts";
import { planningOptions } from "./planning.ts";
import { ownSubjects } from "./streams.ts";

export interface HistoryActions {
  /** The workflows as the history loaded them; null while none without errors was loaded. */
  snapshot(): Snapshot | null;
  /** Loads the workflows again now (the history's copy: the engines reload on their own request). */
  reload(): ReturnType<WorkflowWatcher["reload"]>;
  rerun(row: TaskRow, options: { downstream: boolean }): Promise<RerunResult>;
  launch(request: LaunchBody): Promise<{ status: readonly string[]; tasks: readonly unknown[] }>;
  backload(body: unknown, page: Page): Promise<BackloadResult>;
  audit(entry: ActionEntry): Promise<void>;
  stop(): Promise<void>;
}

export interface HistoryActionDeps {
  readonly config: Config;
  readonly cwd: string;
  readonly publisher: Publisher;
  readonly events: EngineEvents;
  readonly clock: Clock;
}

export async function startHistoryActions(deps: HistoryActionDeps): Promise<HistoryActions> {
  const { config, cwd, publisher, events, clock } = deps;
  const root = resolve(cwd, config.workflow);
  const first = await loadSnapshot(root);
  const remoteFiles = remoteMetaFiles({ access: config.cache });
  // The engine's plan-and-publish path with no intake: nothing is consumed here, only people's actions sent.
  const planner = createEngine({
    ...planningOptions(config, cwd, remoteFiles),
    outbox: publisher,
    clock,
    events,
    journal: publishingJournal(publisher, clock),
  });
  const use = (snapshot: Snapshot): readonly Problem[] => {
    const clash = subjectClash(snapshot, config.nats.subjectPrefix, ownSubjects(config));
    if (clash) return [{ severity: "error", workflow: "", phase: "", key: "task", message: clash }];
    planner.setSnapshot(snapshot);
    return [];
  };
  const refused = hasErrors(first.problems) ? first.problems : use(first);
  if (refused.length > 0) events.emit({ type: "workflowsRejected", problems: refused }); // the actions wait for a set that loads
  const watcher = watchWorkflows({
    root,
    initial: first,
    rescanMs: config.refresh,
    clock,
    onReload: async (snapshot, changed) => {
      const problems = use(snapshot);
      if (problems.length === 0)
        events.emit({
          type: "workflowsReloaded",
          workflows: snapshot.workflows.size,
          phases: snapshot.phases.length,
          changed,
        });
      return problems;
    },
    onRejected: (problems) => {
      events.emit({ type: "workflowsRejected", problems });
      return undefined;
    },
    onError: (error) => events.emit({ type: "error", where: "workflow watcher", error }),
  });

  return {
    snapshot: () => planner.snapshot(),
    reload: () => watcher.reload(),
    async rerun(row, { downstream }) {
      const task = { type: row.type, job: row.job, info: row.info, id: row.id, meta: row.meta };
      // The same ask twice within a minute is sent once: the minute is part of the message id.
      const minute = clock.now().toISOString().slice(0, 16);
      const emission = planRerun(task, planner.context(), `${row.key}|${downstream}|${minute}`, {
        downstream,
      });
      await planner.publishPlan({ emissions: [emission], alerts: [], notes: [] });
      const snapshot = planner.snapshot();
      const follows =
        downstream && snapshot && row.workflow ? downstreamOf(snapshot, row.workflow, row.type, row.job) : [];
      return { sent: emission.task, downstream: follows };
    },
    async launch(request) {
      const snapshot = planner.snapshot();
      if (!snapshot) throw new Error("no workflows loaded yet");
      const plan = planLaunch(
        snapshot,
        request,
        await planner.contextWith(launchMetaFiles(snapshot, request)),
      );
      await planner.publishPlan(plan);
      return { status: plan.status, tasks: plan.emissions.map((e) => e.task) };
    },
    backload: backloadRunner({
      snapshot: () => {
        const snapshot = planner.snapshot();
        if (!snapshot) throw new BackloadUnavailable("no workflows loaded yet: try again in a moment");
        return snapshot;
      },
      context: (metaFiles) => planner.contextWith(metaFiles),
      publish: (plan) => planner.publishPlan(plan),
    }),
    async audit(entry) {
      const record = await recordAction(publisher, entry, clock.now());
      events.emit({ type: "actionTaken", ...record });
    },
    async stop() {
      await watcher
        .close()
        .catch((err: unknown) =>
          events.emit({ type: "error", where: "workflow watcher", error: asError(err) }),
        );
      remoteFiles.close();
    },
  };
}
