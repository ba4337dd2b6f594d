/**
 * This engine among the others: an id drawn at start, a heartbeat in the instances bucket every 5 s (what it runs and
 * how busy it is; the entry expires 30 s after the last beat), and its answer to reload requests on
 * `taskmaster.control.reload`.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { NatsConnection } from "@nats-io/transport-node";
import { answerRequests, type ReloadReply, reloadSubject, startHeartbeat } from "../../internal/bus/index.ts";
import type { Clock } from "../../internal/clock/index.ts";
import { asError, type EngineEvents } from "../../internal/engine/index.ts";
import type { Problem } from "../../internal/errors/index.ts";
import { version } from "./version.ts";

/** What the heartbeat tells of the engine now. */
export interface EngineState {
  readonly nats: string;
  readonly workflows: number;
  readonly phases: number;
  readonly engine: { readonly inFlight: number; readonly oldestMs: number; readonly stuck: boolean };
}

/** An engine's heartbeat, as the instances bucket holds it. */
export interface EngineBeat extends EngineState {
  readonly id: string;
  readonly role: "engine";
  readonly version: string;
  readonly host: string;
  readonly pid: number;
  /** When it started (RFC 3339). */
  readonly since: string;
}

export interface InstanceDeps {
  readonly nc: NatsConnection;
  readonly clock: Clock;
  readonly replicas: number;
  readonly events: EngineEvents;
  readonly state: () => EngineState;
  /** Reloads the workflows now; resolves once the set is in use or refused. */
  readonly reload: () => Promise<{ changed: readonly string[]; problems: readonly Problem[] }>;
}

export interface Instance {
  /** Its key in the instances bucket, and the `instance` of its reload replies. */
  readonly id: string;
  stop(): void;
}

/** Writes the first heartbeat (a bucket that cannot be written fails the start), then answers reload requests. */
export async function startInstance(deps: InstanceDeps): Promise<Instance> {
  const id = randomUUID();
  const since = deps.clock.now().toISOString();
  const host = hostname();
  const beat = (): EngineBeat => {
    const { nats, workflows, phases, engine } = deps.state();
    const { inFlight, oldestMs, stuck } = engine;
    const state = { nats, workflows, phases, engine: { inFlight, oldestMs, stuck } };
    return { id, role: "engine", version, host, pid: process.pid, since, ...state };
  };
  const heartbeat = await startHeartbeat(deps.nc, {
    id,
    beat,
    clock: deps.clock,
    replicas: deps.replicas,
    onError: (error) => deps.events.emit({ type: "error", where: "heartbeat", error }),
  });
  const responder = answerRequests(deps.nc, reloadSubject, async (): Promise<ReloadReply> => {
    try {
      const { changed, problems } = await deps.reload();
      return { instance: id, changed, problems };
    } catch (err) {
      deps.events.emit({ type: "error", where: "reload request", error: asError(err) });
      throw err;
    }
  });
  try {
    // The server knows of the responder before the start resolves: a reload asked right after is answered.
    await deps.nc.flush();
  } catch (err) {
    responder.stop();
    heartbeat.stop();
    throw err;
  }
  return {
    id,
    stop() {
      responder.stop();
      heartbeat.stop();
    },
  };
}
