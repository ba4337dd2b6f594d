/**
 * The life of a long-running command (`run`, `dev`): SIGTERM or SIGINT, from the moment it begins (its start
 * included), asks it to stop. The stop gets `drainLimitMs`; past that the command ends with exit 1 whatever it is
 * still waiting for, and a second signal ends it at once. The command returns its exit code and `bin.ts` then ends
 * the process, so nothing left open (a NATS client reconnecting to a server that is gone) keeps it alive.
 */
import type { Logger } from "../../internal/log/index.ts";
import { Exit } from "./io.ts";

/** The longest a shutdown may take before the command gives up and exits 1. */
export const drainLimitMs = 10_000;

/** What a command started, to be stopped on a signal. */
export interface Running {
  /** Drains and stops; rejects when that could not be done cleanly (the error says why). */
  stop(): Promise<void>;
}

/**
 * Runs `begin`, then stops what it started once a signal comes. `begin` gets a signal that aborts at the first
 * SIGTERM or SIGINT, so that a start that waits (for NATS) gives up; it resolves null when the start failed (and
 * said why). Exit 0 after a clean stop, 1 otherwise.
 */
export async function runUntilSignal(
  begin: (stopping: AbortSignal) => Promise<Running | null>,
  log: Logger,
): Promise<number> {
  const signals = catchSignals(log);
  try {
    return await Promise.race([life(begin, signals, log), signals.forced]);
  } finally {
    signals.release();
  }
}

async function life(
  begin: (stopping: AbortSignal) => Promise<Running | null>,
  signals: Signals,
  log: Logger,
): Promise<number> {
  const running = await begin(signals.stopping);
  if (!running) return Exit.failed;
  await signals.requested;
  try {
    await running.stop();
    log.info("taskmaster stopped");
    return Exit.ok;
  } catch (err) {
    // The message says what went wrong; the stack is for whoever debugs taskmaster itself.
    log.error(`taskmaster stopped, not cleanly: ${(err as Error).message}`);
    log.debug({ err }, "the stop's failure");
    return Exit.failed;
  }
}

interface Signals {
  /** Aborts at the first signal. */
  readonly stopping: AbortSignal;
  /** Resolves at the first signal. */
  readonly requested: Promise<void>;
  /** Resolves with exit 1 when the drain limit passes after the first signal, or at a second signal. */
  readonly forced: Promise<number>;
  release(): void;
}

function catchSignals(log: Logger): Signals {
  const stop = new AbortController();
  let request = () => {};
  const requested = new Promise<void>((resolve) => {
    request = resolve;
  });
  let force = (_code: number) => {};
  const forced = new Promise<number>((resolve) => {
    force = resolve;
  });
  let limit: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      log.warn({ signal }, "second signal: exiting now, without waiting for the drain");
      force(Exit.failed);
      return;
    }
    log.info({ signal }, "draining: intake stopped, finishing work in flight");
    stop.abort();
    request();
    limit = setTimeout(() => {
      log.error(`could not drain within ${drainLimitMs / 1000}s; exiting`);
      force(Exit.failed);
    }, drainLimitMs);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return {
    stopping: stop.signal,
    requested,
    forced,
    release() {
      clearTimeout(limit);
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    },
  };
}
