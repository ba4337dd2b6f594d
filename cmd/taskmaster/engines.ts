/**
 * The engines as the history sees them: their heartbeats in the instances bucket (read every few seconds: an entry
 * expires without a trace, so a watch would not see an engine go), the history's own heartbeat there, and a reload
 * request to every engine with what each answered.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection, RequestManyOptions } from "@nats-io/transport-node";
import {
  type Heartbeat,
  instancesBucket,
  type ReloadReply,
  reloadSubject,
  startHeartbeat,
} from "../../internal/bus/index.ts";
import { type Clock, every } from "../../internal/clock/index.ts";
import { type Beat, parseBeat, type ReloadAnswers, reloadAnswers } from "./beats.ts";
import { version } from "./version.ts";

export interface Engines {
  /** The processes whose heartbeat was current at the last look (engines and histories). */
  beats(): readonly Beat[];
  /** Asks every engine to reload its workflows; resolves with what they answered, once all did or 10 s passed. */
  reload(): Promise<ReloadAnswers>;
  stop(): void;
}

export interface EnginesDeps {
  readonly nc: NatsConnection;
  readonly clock: Clock;
  readonly replicas: number;
  /** What the history's own heartbeat says of it now. */
  readonly state: () => Record<string, unknown>;
  readonly onError: (where: string, error: Error) => void;
  /** How often the bucket is read (default 5 s). */
  readonly everyMs?: number;
}

export async function watchEngines(deps: EnginesDeps): Promise<Engines> {
  const { nc } = deps;
  const id = randomUUID();
  const since = deps.clock.now().toISOString();
  const host = hostname();
  const heartbeat: Heartbeat = await startHeartbeat(nc, {
    id,
    beat: () => ({ id, role: "history", version, host, pid: process.pid, since, ...deps.state() }),
    clock: deps.clock,
    replicas: deps.replicas,
    onError: (error) => deps.onError("heartbeat", error),
  });
  // Read with direct gets, as the deployment's NATS account allows ($JS.API.DIRECT.GET), not the stream API's.
  const kv = await new Kvm(nc).open(instancesBucket, { allow_direct: true });
  let current: readonly Beat[] = [];
  let busy = false;
  const look = async () => {
    if (busy) return;
    busy = true;
    try {
      const beats: Beat[] = [];
      for await (const key of await kv.keys()) {
        const entry = await kv.get(key);
        const beat = entry?.operation === "PUT" ? parseBeat(entry.string()) : null;
        if (beat) beats.push(beat);
      }
      current = beats;
    } catch (err) {
      deps.onError("reading the instances bucket", err as Error);
    } finally {
      busy = false;
    }
  };
  await look();
  const stopLooking = every(deps.clock, deps.everyMs ?? 5_000, () => void look());
  return {
    beats: () => current,
    async reload() {
      const engines = current.filter((b) => b.role === "engine").length;
      const replies: (ReloadReply | { error: string })[] = [];
      // Every engine known answers; with none known, whoever answers within 2 s.
      const options: Partial<RequestManyOptions> =
        engines > 0
          ? { strategy: "count", maxMessages: engines, maxWait: 10_000 }
          : { strategy: "timer", maxWait: 2_000 };
      try {
        for await (const m of await nc.requestMany(reloadSubject, "", options)) {
          try {
            replies.push(m.json<ReloadReply | { error: string }>());
          } catch {
            replies.push({ error: "an answer that is not JSON" });
          }
        }
      } catch (err) {
        // No responders (no engine runs), or the connection went: the answers so far are what there is.
        if (replies.length === 0 && engines > 0) deps.onError("reload request", err as Error);
      }
      return reloadAnswers(replies, engines);
    },
    stop() {
      stopLooking();
      heartbeat.stop();
    },
  };
}
