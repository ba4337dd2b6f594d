/**
 * What the history's status, readiness and about page say: its own connection and projection, and the engines as
 * their heartbeats tell them (the `engine` figures sum theirs). Pure: the root hands over what it reads.
 */
import type { EngineView, HistoryView, StateView } from "../../handler/index.ts";
import type { HistoryState } from "../../internal/cache/index.ts";
import type { Beat, EngineBeat } from "./beats.ts";

export interface HistoryStateInput {
  readonly nats: string;
  /** The workflows the history loaded (for the actions it plans and the pages). */
  readonly workflows: number;
  readonly phases: number;
  readonly startedAt: Date;
  readonly follower: HistoryState;
  readonly beats: readonly Beat[];
}

/** Ready once connected and the follower has opened its file (following, rebuilding or degraded, it answers). */
export function historyReady(nats: string, follower: Pick<HistoryState, "mode">): boolean {
  return nats === "connected" && follower.mode !== "starting" && follower.mode !== "stopped";
}

export function historyStateView(input: HistoryStateInput): StateView {
  const { follower } = input;
  const engines = input.beats.filter((b): b is EngineBeat => b.role === "engine").map(engineView);
  const history: HistoryView = {
    mode: follower.mode,
    reason: follower.reason,
    since: follower.since,
    path: follower.path,
    behind: follower.behind,
    lost: follower.lost,
    written: follower.written,
    ...(follower.rebuild ? { rebuild: follower.rebuild } : {}),
  };
  const progress = follower.rebuild ? `${follower.rebuild.done} of ${follower.rebuild.total} messages` : "";
  return {
    nats: input.nats,
    workflows: input.workflows,
    phases: input.phases,
    ready: historyReady(input.nats, follower),
    startedAt: input.startedAt,
    engine: {
      inFlight: engines.reduce((n, e) => n + e.inFlight, 0),
      publishing: 0,
      oldestMs: engines.reduce((n, e) => Math.max(n, e.oldestMs), 0),
      stuck: engines.some((e) => e.stuck),
    },
    cache: {
      mode: follower.mode,
      reason: [follower.reason, progress].filter((s) => s !== "").join(": "),
      pending: follower.behind,
    },
    engines,
    history,
  };
}

function engineView(b: EngineBeat): EngineView {
  const { id, host, pid, version, since, nats, workflows, phases } = b;
  return { id, host, pid, version, since, nats, workflows, phases, ...b.engine };
}
