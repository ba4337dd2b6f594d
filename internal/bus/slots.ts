/**
 * The last fired cron slot of each phase, kept in a NATS KV bucket so that a restart (on this machine or another)
 * knows which slots were missed. A phase id is hashed into a valid KV key; the value keeps the id for people.
 */
import { createHash } from "node:crypto";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { SlotStore } from "../schedule/index.ts";

export async function kvSlotStore(nc: NatsConnection, bucket: string, replicas = 1): Promise<SlotStore> {
  const kv = await new Kvm(nc).create(bucket, { history: 1, replicas });
  const keyOf = (phaseId: string) => createHash("sha256").update(phaseId).digest("hex").slice(0, 40);
  return {
    async get(phaseId) {
      const entry = await kv.get(keyOf(phaseId));
      if (entry?.operation !== "PUT" || entry.value.length === 0) return null;
      const { slot } = entry.json<{ slot?: string }>();
      const t = slot ? new Date(slot) : null;
      return t && !Number.isNaN(t.getTime()) ? t : null;
    },
    async set(phaseId, slot) {
      await kv.put(keyOf(phaseId), JSON.stringify({ phase: phaseId, slot: slot.toISOString() }));
    },
  };
}
