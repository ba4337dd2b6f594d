/**
 * What the HTTP app is given (`createApp(deps)`): the service's state, what the about page shows, and the deps
 * themselves. Apart from `app.ts` so the pages it mounts (`web.tsx`, `views/`) can name them without importing it.
 */
import type { StreamState } from "../internal/bus/index.ts";
import type { ActionRow } from "../internal/cache/index.ts";
import type { Snapshot } from "../internal/workflow/index.ts";
import type { Tokens } from "./auth.ts";
import type { BackloadDeps } from "./backload.ts";
import type { History } from "./history.ts";
import type { LiveDeps } from "./live.ts";

/** What the service tells about itself (`Service.state()`). */
export interface StateView {
  readonly nats: string;
  readonly workflows: number;
  readonly phases: number;
  readonly ready: boolean;
  readonly startedAt: Date;
  readonly cache: { readonly mode: string; readonly reason: string; readonly pending: number };
  /** Messages in flight and the age of the oldest; `stuck` when that is past `engine.stuck_after`. */
  readonly engine: {
    readonly inFlight: number;
    readonly publishing: number;
    readonly oldestMs: number;
    readonly stuck: boolean;
  };
  /** Served by the history: the engines whose heartbeats are current (the `engine` figures above sum them). */
  readonly engines?: readonly EngineView[];
  /** Served by the history: its projection of the streams. */
  readonly history?: HistoryView;
}

/** An engine as its heartbeat tells it. */
export interface EngineView {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly version: string;
  readonly since: string;
  readonly nats: string;
  readonly workflows: number;
  readonly phases: number;
  readonly inFlight: number;
  readonly oldestMs: number;
  readonly stuck: boolean;
}

/** The history's projection: its mode, how far behind the streams it is, a rebuild's progress, messages lost. */
export interface HistoryView {
  readonly mode: string;
  readonly reason: string;
  readonly since: string;
  readonly path: string;
  readonly behind: number;
  readonly lost: number;
  readonly written: number;
  readonly rebuild?: { readonly done: number; readonly total: number };
}

/** What the about page shows beyond the service's state; each part may be unknown. */
export interface AboutInfo {
  readonly streams: readonly StreamState[];
  readonly cacheFile: {
    readonly path: string;
    readonly bytes: number;
    readonly rows: Record<string, number>;
  } | null;
  readonly lastBackup: { readonly at: string; readonly name: string; readonly bytes: number } | null;
  readonly backupProblem: string;
  readonly alerts: {
    readonly slack: boolean;
    readonly frequencyMs: number;
    readonly minMs: number;
    readonly maxMs: number;
    readonly pending: number;
    readonly lastDigest: string | null;
  } | null;
  readonly actions: readonly ActionRow[];
}

export interface AppDeps extends BackloadDeps, LiveDeps {
  readonly tokens: Tokens;
  readonly version: string;
  readonly state: () => StateView;
  readonly history: History;
  /**
   * Reloads the workflows now; resolves with what changed or why the new set was refused (and, served by the
   * history, what each engine answered).
   */
  readonly reload: () => Promise<{
    changed: readonly string[];
    problems: readonly { message: string }[];
    engines?: readonly unknown[];
  }>;
  /** Takes a backup of the history now; rejects when there is no backup location or it fails. */
  readonly backupNow?: () => Promise<{ readonly name: string; readonly bytes: number }>;
  /** The Prometheus text exposition of the service's counters and gauges. */
  readonly metrics?: () => string;
  /** What the about page shows beyond the state: streams, cache file, backups, alerts, recent actions. */
  readonly about?: () => Promise<AboutInfo>;
  /** The zone of times given without one (`http.time_zone`; UTC by default). */
  readonly timeZone?: string;
  /** Sends Slack's "all is well" message (flowlord's `/notify`); absent without Slack. */
  readonly notify?: () => Promise<void>;
  /** The workflow path (a folder or one file) `/workflow/*` serves from. */
  readonly workflowRoot?: () => string;
  /** The workflow set the runtime holds now (the workflows and backload pages read it). */
  readonly workflows?: () => Snapshot | undefined;
  /** The configuration with secrets hidden, for the about page. */
  readonly config?: () => unknown;
  readonly now?: () => Date;
  /** Reports an unexpected error (a 500) with where it happened; the service logs it. */
  readonly reportError?: (where: string, error: Error) => void;
  /** The largest request body accepted (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Host names requests may address beyond localhost and IP addresses: the listen host, `http.allowed_hosts`. */
  readonly allowedHosts?: readonly string[];
}
