/**
 * Watching the engine's slots: a message held longer than the bound is reported once (`workStuck`), and the engine
 * counts as stuck while its oldest message is held past the bound. A message is held that long only when what it
 * causes cannot be stored for minutes (a stream that keeps refusing for now, a server that does not answer); the
 * publisher keeps trying, and this is how a person hears of it, in the log, an alert, `/readyz` and `/metrics`.
 */
import type { Clock } from "../clock/index.ts";
import { journalMsgId, systemAlert } from "../journal/index.ts";
import { formatDuration } from "../rule/index.ts";
import type { Engine, Held } from "./engine.ts";
import { asError, type EngineEvents, type EventOf } from "./events.ts";
import type { Journal } from "./journal.ts";

export interface StuckWatchOptions {
  /** How long a message may be held before it counts as stuck. */
  readonly stuckAfterMs: number;
  readonly clock: Clock;
  readonly events: EngineEvents;
  /** Where a stuck message is recorded as an `engine-stuck` alert (once per message, whichever engine holds it). */
  readonly journal?: Journal;
}

/** The alert kind of a message held past the bound. */
export const engineStuckKind = "engine-stuck";

/** What the alert of a stuck message says. */
export function stuckMessage(e: EventOf<"workStuck">): string {
  return `a ${e.kind} message (${e.subject} #${e.seq}) has been worked on for ${formatDuration(e.heldMs)}, past engine.stuck_after (${formatDuration(e.stuckAfterMs)}): what it causes is not stored yet; /readyz says not ready until it is`;
}

export interface StuckWatch {
  /** True while the oldest message held has been held past the bound. */
  stuck(): boolean;
  stop(): void;
}

export function watchStuck(
  engine: Pick<Engine, "held" | "oldestMs">,
  options: StuckWatchOptions,
): StuckWatch {
  const { stuckAfterMs, clock, events, journal } = options;
  // Reported once each; a finished message is forgotten with its record.
  const reported = new WeakSet<Held>();
  let cancel: (() => void) | undefined;
  let stopped = false;
  const check = () => {
    const now = clock.now().getTime();
    for (const held of engine.held()) {
      const heldMs = now - held.since;
      if (heldMs < stuckAfterMs || reported.has(held)) continue;
      reported.add(held);
      const { subject, seq } = held.msg;
      const event = { type: "workStuck", kind: held.kind, subject, seq, heldMs, stuckAfterMs } as const;
      events.emit(event);
      const alert = systemAlert(engineStuckKind, subject, stuckMessage(event));
      journal
        ?.record(alert, journalMsgId("alert", engineStuckKind, subject, seq))
        .catch((error: unknown) => events.emit({ type: "error", where: "journal", error: asError(error) }));
    }
  };
  // Often enough that a stuck message is reported within half the bound again, at most every 10 s.
  const everyMs = Math.max(100, Math.min(stuckAfterMs / 2, 10_000));
  const tick = () => {
    if (stopped) return;
    try {
      check();
    } catch (err) {
      events.emit({ type: "error", where: "stuck watch", error: err as Error });
    }
    cancel = clock.setTimer(everyMs, tick);
  };
  cancel = clock.setTimer(everyMs, tick);
  return {
    stuck: () => engine.oldestMs(clock.now()) >= stuckAfterMs,
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}
