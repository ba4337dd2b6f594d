/**
 * Digests of alerts that are recorded elsewhere: the history projects the journal's alert entries into its alerts
 * table and hands each committed batch's alerts here. They are gathered into the next digest (a task's own `alert`
 * result is sent at once) on the digest schedule. The last digest's time is a cursor kept where it survives a
 * restart: after one, what was recorded since the cursor is sent, and alerts replayed from the streams (a rebuild, a
 * catch-up) that are older than it are not sent again. With no cursor yet (the first start), a replay sends what is
 * at most one longest digest interval old.
 *
 * The digests also look for tasks left unfinished past `task_ttl`, and record each one as an alert through `raise`
 * (published to the journal), so it comes back like any other alert.
 */
import { type Clock, every } from "../clock/index.ts";
import type { Task } from "../task/index.ts";
import type { SlackMessage } from "./blocks.ts";
import { type AlertItem, buildDigest, buildImmediate, type Resolved } from "./digest.ts";
import { createDigestSchedule } from "./schedule.ts";
import { AlertKinds, incompleteAlert } from "./sources.ts";

/** The last digest's time, kept where it survives a restart. */
export interface DigestCursor {
  get(): Promise<string | null>;
  set(iso: string): Promise<void>;
}

export interface AlertService {
  state(): { readonly pending: number; readonly frequencyMs: number; readonly lastDigest: string | null };
  /** Runs one digest check now (tests, the dashboard's button). */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/** What the history holds: the alerts recorded, and the tasks not finished. */
export interface RecordedAlerts {
  /** The alerts recorded after `iso`. */
  since(iso: string): AlertItem[];
  /**
   * Phases that alerted for a data time after `alertedAfter` and have completed for it since `since` (a retry or a
   * re-run that went well).
   */
  resolved(alertedAfter: string, since: string): Resolved[];
  /** Tasks emitted in [since, before), not finished, and not alerted as incomplete yet. */
  unfinished(since: string, before: string): Task[];
}

export interface DigestsOptions {
  readonly recorded: RecordedAlerts;
  /** Records an alert the digests raise (a task left unfinished); it comes back through `add` once recorded. */
  readonly raise: (alert: AlertItem, task: Task) => Promise<void>;
  readonly cursor?: DigestCursor | undefined;
  readonly send?: ((message: SlackMessage) => void) | undefined;
  readonly prefix: string;
  readonly dashboardUrl: string;
  readonly minFrequencyMs: number;
  readonly maxFrequencyMs: number;
  readonly taskTtlMs: number;
  /** How often unfinished tasks are looked for (default 1 min). */
  readonly incompleteEveryMs?: number;
  readonly clock: Clock;
  readonly onError: (where: string, error: Error) => void;
}

export interface Digests extends AlertService {
  /** Alerts just recorded; `replay` when they come from a replay of the streams (a rebuild, a catch-up). */
  add(alerts: readonly AlertItem[], replay: boolean): void;
}

const identity = (a: AlertItem) =>
  `${a.kind}|${a.taskId}|${a.taskType}|${a.job}|${a.at.toISOString()}|${a.message}`;

export async function startDigests(options: DigestsOptions): Promise<Digests> {
  const { clock } = options;
  const now = () => clock.now();
  const schedule = createDigestSchedule({ minMs: options.minFrequencyMs, maxMs: options.maxFrequencyMs });
  let lastDigest = (await options.cursor?.get().catch(() => null)) ?? null;
  const replayFrom = lastDigest ?? new Date(now().getTime() - options.maxFrequencyMs).toISOString();
  let fresh: AlertItem[] = [];
  let gathered = new Set<string>();
  const gather = (alert: AlertItem) => {
    const id = identity(alert);
    if (gathered.has(id)) return false;
    gathered.add(id);
    fresh.push(alert);
    return true;
  };
  // What the last digest did not carry: the alerts recorded since (taken in the same turn as the first batch
  // handed over may be, so a gathered alert is counted once).
  if (lastDigest) for (const alert of options.recorded.since(lastDigest)) gather(alert);

  const add = (alerts: readonly AlertItem[], replay: boolean) => {
    for (const alert of alerts) {
      if (replay && alert.at.toISOString() <= replayFrom) continue;
      if (!gather(alert)) continue;
      if (alert.kind === AlertKinds.taskAlert && !replay)
        options.send?.(buildImmediate(alert, options.prefix, options.dashboardUrl));
    }
  };

  // Raised and not recorded yet (the history projects it a moment later): raised once; one that failed, again.
  const raised = new Set<string>();
  const checkIncomplete = () => {
    const cutoff = now().getTime() - options.taskTtlMs;
    const since = new Date(cutoff - 24 * 3_600_000).toISOString();
    for (const task of options.recorded.unfinished(since, new Date(cutoff).toISOString())) {
      const key = `${task.id}|${task.type}|${task.job ?? ""}|${task.info}|${task.created ?? ""}`;
      if (raised.has(key)) continue;
      raised.add(key);
      options.raise(incompleteAlert(task, options.taskTtlMs, now()), task).catch((err: unknown) => {
        raised.delete(key);
        options.onError("recording an incomplete alert", err as Error);
      });
    }
    if (raised.size > 100_000) raised.clear(); // the history's own check (its alerts table) remains
  };

  /** What resolved since the last digest, of the alerts of the day before it (none before a first digest). */
  const resolvedNow = (): Resolved[] => {
    if (lastDigest === null) return [];
    const dayBefore = new Date(Date.parse(lastDigest) - 24 * 3_600_000).toISOString();
    return options.recorded.resolved(dayBefore, lastDigest);
  };

  const digest = async () => {
    const resolved = resolvedNow();
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
      gathered = new Set();
      await options.cursor
        ?.set(lastDigest)
        .catch((err: unknown) => options.onError("digest cursor", err as Error));
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
    add,
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
    },
  };
}
