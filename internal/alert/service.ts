/**
 * Alerts, end to end: each alert-worthy event (and each task left unfinished past `task_ttl`) is recorded, gathered
 * into the next digest and, with a webhook, sent to Slack on the digest schedule; a task that returned `alert` is
 * sent at once. A phase that alerted and later completes for the same data time is reported as resolved. What was
 * sent is remembered (a cursor in NATS KV), so a restart sends only what was not.
 */
import type { Database } from "better-sqlite3";
import { type Clock, every } from "../clock/index.ts";
import type { EngineEvents } from "../engine/index.ts";
import type { Task } from "../task/index.ts";
import type { SlackMessage } from "./blocks.ts";
import { type AlertItem, buildDigest, buildImmediate, type Resolved } from "./digest.ts";
import { createDigestSchedule } from "./schedule.ts";
import { AlertKinds, alertOf, incompleteAlert, taskAlertItem } from "./sources.ts";

/** Where an alert is recorded (the cache) and read back after a restart. */
export interface AlertStore {
  record(alert: AlertItem): void;
  /** The alerts recorded after `iso` (to send what a restart would otherwise lose). */
  since(iso: string): AlertItem[];
  /** Tasks emitted in [since, before) and not finished, not alerted yet. */
  unfinished(since: string, before: string): Task[];
}

/** The last digest's time, kept where it survives a restart. */
export interface DigestCursor {
  get(): Promise<string | null>;
  set(iso: string): Promise<void>;
}

export interface AlertServiceOptions {
  readonly events: EngineEvents;
  readonly store?: AlertStore | undefined;
  readonly cursor?: DigestCursor | undefined;
  /** Sends a message to Slack (bounded queue); undefined when no webhook is configured. */
  readonly send?: ((message: SlackMessage) => void) | undefined;
  readonly prefix: string;
  readonly dashboardUrl: string;
  readonly minFrequencyMs: number;
  readonly maxFrequencyMs: number;
  readonly taskTtlMs: number;
  /** How often unfinished tasks are looked for (default 1 min). */
  readonly incompleteEveryMs?: number;
  /** Times the digests and the look for unfinished tasks, and dates the alerts. */
  readonly clock: Clock;
}

export interface AlertService {
  state(): { readonly pending: number; readonly frequencyMs: number; readonly lastDigest: string | null };
  /** Runs one digest check now (tests, the dashboard's button). */
  check(): Promise<void>;
  stop(): Promise<void>;
}

const keyOf = (type: string, job: string, dataTime: Date | null) =>
  `${type}:${job}|${dataTime?.toISOString() ?? ""}`;

export async function startAlerts(options: AlertServiceOptions): Promise<AlertService> {
  const { clock } = options;
  const now = () => clock.now();
  const schedule = createDigestSchedule({ minMs: options.minFrequencyMs, maxMs: options.maxFrequencyMs });
  let lastDigest = (await options.cursor?.get().catch(() => null)) ?? null;
  // What the last digest did not carry yet: after a restart, the recorded alerts since the cursor.
  let fresh: AlertItem[] = lastDigest && options.store ? options.store.since(lastDigest) : [];
  let resolved: Resolved[] = [];
  // Alerted phases and data times, to report a later success as resolved (bounded: oldest forgotten first).
  const open = new Map<string, AlertItem>();
  const incompleteSeen = new Set<string>();

  const raise = (alert: AlertItem) => {
    options.store?.record(alert);
    fresh.push(alert);
    const key = keyOf(alert.taskType, alert.job, alert.dataTime);
    if (alert.taskId) {
      open.delete(key);
      open.set(key, alert);
      if (open.size > 10_000) open.delete(open.keys().next().value ?? "");
    }
    if (alert.kind === AlertKinds.taskAlert)
      options.send?.(buildImmediate(alert, options.prefix, options.dashboardUrl));
  };

  // Only the kinds that can raise an alert: listening to every event would make the hot path build the per-task
  // events (published, done) that nobody else wants.
  const sourceTypes = [
    "alertRaised",
    "messageRejected",
    "cronSkipped",
    "cacheState",
    "backupFailing",
    "workflowsRejected",
    "publishRetried",
    "error",
  ] as const;
  const offs = sourceTypes.map((type) =>
    options.events.on(type, (event) => {
      const alert = alertOf(event, now());
      if (alert) raise(alert);
    }),
  );
  const offDone = options.events.on("taskDone", (e) => {
    if (e.task.result !== "complete" || open.size === 0) return;
    const item = taskAlertItem(e.task, now());
    const key = keyOf(item.taskType, item.job, item.dataTime);
    if (!open.delete(key)) return;
    resolved.push({ taskType: item.taskType, job: item.job, dataTime: item.dataTime, at: now() });
  });

  const checkIncomplete = () => {
    if (!options.store) return;
    const cutoff = now().getTime() - options.taskTtlMs;
    const since = new Date(cutoff - 24 * 3_600_000).toISOString();
    for (const task of options.store.unfinished(since, new Date(cutoff).toISOString())) {
      const key = `${task.id}|${task.type}|${task.job ?? ""}|${task.info}|${task.created ?? ""}`;
      if (incompleteSeen.has(key)) continue;
      incompleteSeen.add(key);
      raise(incompleteAlert(task, options.taskTtlMs, now()));
    }
    if (incompleteSeen.size > 100_000) incompleteSeen.clear(); // the cache's own check (alerts table) remains
  };

  const digest = async () => {
    const decision = schedule.next(now(), fresh.length > 0 || resolved.length > 0);
    if (decision.send) {
      const messages = buildDigest({
        alerts: fresh,
        resolved,
        prefix: options.prefix,
        dashboardUrl: options.dashboardUrl,
        now: now(),
      });
      for (const message of messages) options.send?.(message);
      lastDigest = now().toISOString();
      fresh = [];
      resolved = [];
      await options.cursor?.set(lastDigest).catch(() => undefined);
    }
    return decision.waitMs;
  };

  let cancelDigest: (() => void) | undefined;
  let stopped = false;
  const loop = (waitMs: number) => {
    if (stopped) return;
    cancelDigest = clock.setTimer(waitMs, () => {
      void digest().then(loop, () => loop(options.minFrequencyMs));
    });
  };
  loop(options.minFrequencyMs);
  const stopIncomplete = every(clock, options.incompleteEveryMs ?? 60_000, checkIncomplete);

  return {
    state: () => ({ pending: fresh.length, frequencyMs: schedule.currentMs, lastDigest }),
    async check() {
      checkIncomplete();
      cancelDigest?.();
      loop(await digest());
    },
    async stop() {
      stopped = true;
      cancelDigest?.();
      stopIncomplete();
      for (const off of offs) off();
      offDone();
    },
  };
}

/** An `AlertStore` on the cache's read connection and its writer. */
export function cacheAlertStore(
  database: () => Database | null,
  write: (alert: AlertItem) => void,
  queries: {
    alertsSince(db: Database, iso: string): AlertItem[];
    unfinished(db: Database, since: string, before: string): Task[];
  },
): AlertStore {
  return {
    record: write,
    since: (iso) => {
      const db = database();
      return db ? queries.alertsSince(db, iso) : [];
    },
    unfinished: (since, before) => {
      const db = database();
      return db ? queries.unfinished(db, since, before) : [];
    },
  };
}
