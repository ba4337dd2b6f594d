/**
 * The CPU policy of the cache's writer thread. It normally runs under Linux's SCHED_IDLE policy: only when a CPU would
 * otherwise be idle, so on a busy machine the engine and NATS go first (measured on 2 cores with 60 000 tasks, the
 * engine's throughput with the cache on was about 12 300-14 300 tasks/s with the writer at nice 19 and 14 900-15 200
 * under SCHED_IDLE). But a machine that is never idle (workers on the same host, say) would starve it for good, and a
 * starved thread cannot change its own policy: so the main thread watches how far behind the writer is and lifts it to
 * the normal policy (still at nice 19) past `liftAbove` records or when a record has waited `liftAfterMs`, then lets
 * it idle again once fewer than `idleBelow` wait, none of them that long.
 *
 * Node has no call for a thread's policy; util-linux's `chrt` sets it. An unprivileged thread may only leave
 * SCHED_IDLE when its RLIMIT_NICE allows its nice value (by default it does not), so the writer is only made idle
 * where a probe shows it could be lifted again; elsewhere, or without `chrt`, it stays at nice 19 (`worker.ts`).
 *
 * And while the main thread is busy (a burst), the writer waits before each batch, whatever its policy, until the
 * burst is over or the backlog would lift it (`holdFor`).
 */
import { execFile } from "node:child_process";

export type WriterPolicy = "idle" | "normal";

export interface PolicyLimits {
  /** Records waiting for the writer above which it runs under the normal policy. */
  readonly liftAbove: number;
  /** How long the oldest waiting record may wait before the writer runs under the normal policy. */
  readonly liftAfterMs: number;
  /** Records waiting below which it goes back to idle. */
  readonly idleBelow: number;
  /**
   * The main thread's event-loop utilization (0 to 1) at or above which the writer waits before its next batch, as
   * long as nothing would lift it (`holdFor`).
   */
  readonly holdAbove: number;
}

/**
 * Lifted at half the 100 000 records the service lets wait in memory before it drops them
 * (`cmd/taskmaster/cache.ts`).
 */
export const defaultPolicyLimits: PolicyLimits = {
  liftAbove: 50_000,
  liftAfterMs: 5_000,
  idleBelow: 2_000,
  holdAbove: 0.7,
};

/**
 * With the backlog spooled to disk (`spool.ts`) a burst costs no memory while it waits, so only its age lifts the
 * writer (or half the million records the spool may hold): a burst of a few seconds is written once it is over.
 */
export const spooledPolicyLimits: PolicyLimits = { ...defaultPolicyLimits, liftAbove: 500_000 };

/** How far behind the writer is: records waiting, and how long the oldest of them has waited. */
export interface Backlog {
  readonly waiting: number;
  readonly oldestMs: number;
}

/** The policy the writer should have with `backlog` behind it, given the one it has. */
export function policyFor(backlog: Backlog, current: WriterPolicy, limits: PolicyLimits): WriterPolicy {
  const late = backlog.oldestMs > limits.liftAfterMs;
  if (current === "idle" && (backlog.waiting > limits.liftAbove || late)) return "normal";
  if (current === "normal" && backlog.waiting < limits.idleBelow && !late) return "idle";
  return current;
}

/**
 * Whether the writer should wait before its next batch: while the service's main thread is busy (`load`, its
 * event-loop utilization), unless the backlog is late or long enough to lift the writer. SCHED_IDLE alone does not
 * keep the writer out of the way: on 2 cores the engine and nats-server leave gaps of idle CPU that it fills, and it
 * then slows them (caches, memory, wake-ups). Measured with 60 000 tasks, the service's CPU per task during the burst
 * was 73-103 µs with the writer idle-class and 47-66 µs with it waiting.
 */
export function holdFor(backlog: Backlog, load: number, limits: PolicyLimits): boolean {
  return (
    load >= limits.holdAbove && backlog.oldestMs <= limits.liftAfterMs && backlog.waiting <= limits.liftAbove
  );
}

/** Sets the scheduling policy of thread `tid` (of this process); resolves false when it could not. */
export function setThreadPolicy(tid: number, policy: WriterPolicy): Promise<boolean> {
  const flag = policy === "idle" ? "--idle" : "--other";
  return new Promise((resolve) => {
    execFile("chrt", [flag, "--pid", "0", String(tid)], (err) => resolve(err === null));
  });
}

let leaving: Promise<boolean> | undefined;

/**
 * Whether a thread of this process at nice 19 under SCHED_IDLE could be lifted back to the normal policy: a child
 * process started idle at nice 19 tries it on itself. Asked once per process.
 */
export function canLeaveIdle(): Promise<boolean> {
  leaving ??= new Promise((resolve) => {
    execFile("chrt", ["--idle", "0", "nice", "-n", "19", "chrt", "--other", "0", "true"], (err) =>
      resolve(err === null),
    );
  });
  return leaving;
}
