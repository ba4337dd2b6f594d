/**
 * The engine's typed events: every state change is one, so the cache, alerts, dashboard and logs subscribe
 * instead of being called, and tests await events instead of sleeping.
 */
import type { Problem } from "../errors/index.ts";
import type { FileNotice } from "../files/index.ts";
import type { Emission, PlannedAlert } from "../plan/index.ts";
import type { Task } from "../task/index.ts";

export type EngineEvent =
  /** A task was stored by its stream (or was there already: `duplicate`). */
  | {
      readonly type: "taskPublished";
      readonly emission: Emission;
      readonly subject: string;
      /** Its Nats-Msg-Id: unique per emitted task. */
      readonly msgId: string;
      readonly seq: number;
      readonly duplicate: boolean;
    }
  /** A finished task arrived on the done subject. */
  | { readonly type: "taskDone"; readonly task: Task; readonly redelivered: boolean }
  /** A failed task will be sent again at `dueAt`; NATS holds it until then. */
  | { readonly type: "retryScheduled"; readonly task: Task; readonly dueAt: Date; readonly delayMs: number }
  /** A task's retries are used up; it went to the failed subject (if one is configured). */
  | { readonly type: "taskFailed"; readonly task: Task }
  /** A message that could not be used was terminated (not redelivered). */
  | {
      readonly type: "messageRejected";
      readonly subject: string;
      readonly reason: string;
      readonly data: string;
    }
  | { readonly type: "alertRaised"; readonly alert: PlannedAlert }
  /** A watched path cannot be watched (missing, inotify limit ...); periodic scans go on. */
  | {
      readonly type: "fileWatchProblem";
      readonly dir: string;
      readonly path: string;
      readonly message: string;
    }
  /**
   * A scan of the watched paths finished (at startup, every `files.scan_interval`, after watcher events): when it
   * started, the roots it read, the recent files it found, and how many of them were new (handed on, or settling).
   */
  | {
      readonly type: "filesScanned";
      readonly startedAt: Date;
      readonly roots: number;
      readonly files: number;
      readonly newFiles: number;
    }
  /**
   * A file arrived (from the files topic or a watched path), matched or not: what it triggered, or why nothing.
   * `dataTime` is the time its path carries (flowlord's path rules), or null.
   */
  | {
      readonly type: "fileArrived";
      readonly file: FileNotice;
      readonly status: FileStatus;
      readonly dataTime: Date | null;
      readonly tasks: readonly FileTask[];
      readonly reason: string;
    }
  /** Why a trigger did less than one might expect (no children, require not met, no match). */
  | { readonly type: "planNote"; readonly note: string }
  | {
      readonly type: "cronFired";
      readonly workflow: string;
      readonly phase: string;
      readonly slot: Date;
      readonly tasks: number;
    }
  | {
      readonly type: "cronSkipped";
      readonly workflow: string;
      readonly phase: string;
      readonly skipped: number;
      readonly firstSkipped?: Date;
      readonly lastSkipped?: Date;
    }
  | {
      readonly type: "workflowsReloaded";
      readonly workflows: number;
      readonly phases: number;
      readonly changed: readonly string[];
    }
  | { readonly type: "workflowsRejected"; readonly problems: readonly Problem[] }
  | {
      readonly type: "publishRetried";
      readonly subject: string;
      readonly attempt: number;
      readonly reason: string;
    }
  /**
   * A message has been worked on past `engine.stuck_after`: what it causes is not stored yet (reported once per
   * message; the publisher keeps trying).
   */
  | {
      readonly type: "workStuck";
      /** done, retry or file: which consumer's message. */
      readonly kind: string;
      readonly subject: string;
      /** Its stream sequence. */
      readonly seq: number;
      readonly heldMs: number;
      readonly stuckAfterMs: number;
    }
  | { readonly type: "natsStatus"; readonly status: string; readonly detail: string }
  /** The first connection to NATS failed; another attempt follows after `retryInMs`. */
  | {
      readonly type: "natsConnectFailed";
      readonly attempt: number;
      /** unreachable, authorization, tls or other. */
      readonly problem: string;
      readonly reason: string;
      /** Without credentials. */
      readonly servers: readonly string[];
      readonly retryInMs: number;
    }
  /** The history put a backup where it had no usable file (or skipped one it could not use). */
  | { readonly type: "cacheRecovered"; readonly how: "restored"; readonly detail: string }
  | { readonly type: "backupTaken"; readonly name: string; readonly bytes: number; readonly ms: number }
  | {
      readonly type: "backupFailed";
      readonly error: Error;
      readonly attempt: number;
      readonly retryInMs: number;
    }
  /** Backups keep failing (reported once until one succeeds again). */
  | {
      readonly type: "backupFailing";
      readonly since: string;
      readonly attempts: number;
      readonly error: Error;
    }
  | { readonly type: "backupRecovered" }
  /**
   * A person or a script acted through the API (retry, rerun, backload, launch, reload): the audit record. It is
   * also stored on the audit stream before the action's answer is sent.
   */
  | {
      readonly type: "actionTaken";
      readonly action: string;
      readonly actor: string;
      readonly detail: string;
      readonly outcome: string;
      readonly tasks: number;
      readonly at: Date;
    }
  | { readonly type: "error"; readonly where: string; readonly error: Error };

/** A person's or a script's action as the API records it: `detail` is what was asked (any JSON value). */
export interface ActionEntry {
  readonly action: string;
  readonly actor: string;
  readonly detail: unknown;
  readonly outcome: string;
  readonly tasks: number;
}

/** triggered: it caused tasks; unmatched: no phase's glob matched it; repeat: it had triggered before. */
export type FileStatus = "triggered" | "unmatched" | "repeat";

/** A task a file caused. */
export interface FileTask {
  readonly id: string;
  /** `type` or `type:job`. */
  readonly name: string;
  readonly subject: string;
  readonly workflow: string;
  readonly phase: string;
}

export type EngineEventType = EngineEvent["type"];
export type EventOf<T extends EngineEventType> = Extract<EngineEvent, { type: T }>;
type Listener<T extends EngineEventType> = (event: EventOf<T>) => void;
type AnyListener = (event: EngineEvent) => void;

/** A small typed emitter. A listener that throws is reported as an `error` event, never breaks the emitter. */
export class EngineEvents {
  readonly #listeners = new Map<EngineEventType, Set<AnyListener>>();
  readonly #any = new Set<AnyListener>();

  on<T extends EngineEventType>(type: T, listener: Listener<T>): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    // The map is keyed by type, so a listener only ever receives events of its own type.
    const stored = listener as unknown as AnyListener;
    set.add(stored);
    return () => set.delete(stored);
  }

  onAny(listener: (event: EngineEvent) => void): () => void {
    this.#any.add(listener);
    return () => this.#any.delete(listener);
  }

  /** True when someone listens for `type` (so hot paths can skip building events nobody reads). */
  wants(type: EngineEventType): boolean {
    return this.#any.size > 0 || (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  emit(event: EngineEvent): void {
    for (const listener of this.#listeners.get(event.type) ?? []) this.#call(listener, event);
    for (const listener of this.#any) this.#call(listener, event);
  }

  #call(listener: AnyListener, event: EngineEvent): void {
    try {
      listener(event);
    } catch (err) {
      if (event.type !== "error")
        this.emit({ type: "error", where: `listener of ${event.type}`, error: asError(err) });
    }
  }
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
