/**
 * Which taskmaster processes run now: each writes a heartbeat to a KV bucket every few seconds under an id of its own
 * (drawn at start), and the bucket's TTL removes the entry of one that stopped or died soon after its last beat. A
 * status page lists the bucket's keys; nothing else has to be told that a process went away.
 */
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Clock, every } from "../clock/index.ts";

export const instancesBucket = "taskmaster_instances";

export interface HeartbeatOptions {
  /** The process's id: its key in the bucket. */
  readonly id: string;
  /** What the heartbeat says now (any JSON value), asked for at each beat. */
  readonly beat: () => unknown;
  readonly clock: Clock;
  readonly bucket?: string;
  /** How long an entry outlives its last beat (default 30 s). */
  readonly ttlMs?: number;
  /** How often it beats (default 5 s). */
  readonly everyMs?: number;
  readonly replicas?: number;
  /** A beat that could not be written; the next one tries again. */
  readonly onError: (error: Error) => void;
}

export interface Heartbeat {
  /**
   * Stops beating; the entry expires after its TTL. A beat being written is not waited for (NATS may be away), and
   * its failure is not reported.
   */
  stop(): void;
}

/** Creates the bucket when missing, writes the first beat (a bucket that cannot be written fails here), then beats. */
export async function startHeartbeat(nc: NatsConnection, options: HeartbeatOptions): Promise<Heartbeat> {
  const kv = await new Kvm(nc).create(options.bucket ?? instancesBucket, {
    history: 1,
    ttl: options.ttlMs ?? 30_000,
    replicas: options.replicas ?? 1,
  });
  const put = () => kv.put(options.id, JSON.stringify(options.beat())).then(() => undefined);
  await put();
  let busy = false;
  let stopped = false;
  const stopBeats = every(options.clock, options.everyMs ?? 5_000, () => {
    // A beat still being written (NATS slow or away) is not overtaken by the next.
    if (busy) return;
    busy = true;
    put()
      .catch((err: unknown) => {
        if (!stopped) options.onError(err instanceof Error ? err : new Error(String(err)));
      })
      .finally(() => {
        busy = false;
      });
  });
  return {
    stop() {
      stopped = true;
      stopBeats();
    },
  };
}
