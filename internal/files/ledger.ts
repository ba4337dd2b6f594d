/**
 * Once, and only once: which files have triggered their phases, kept in a NATS KV bucket so that a restart, a
 * redelivered message or a producer announcing the same file again (flowlord's filewatcher re-announces its whole
 * look-back after a restart) does not trigger them twice. A file is its path, size and modification time: the same
 * path written again with other content is a new file. Entries expire with the bucket's age limit (`retention`).
 */
import { hash } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

export interface FileIdentity {
  readonly path: string;
  readonly size: number;
  /** RFC 3339, or "" when unknown. */
  readonly modified: string;
}

/** What a file triggered, as remembered. */
export interface Triggered {
  /** When it was triggered (RFC 3339). */
  readonly at: string;
  /** The tasks it caused, as `type[:job] id`; empty when nothing matched. */
  readonly tasks: readonly string[];
}

export interface FileLedger {
  /** What the file triggered before, or null when it is new. */
  seen(file: FileIdentity): Promise<Triggered | null>;
  remember(file: FileIdentity, triggered: Triggered): Promise<void>;
}

/** The KV key of a file: a hash, because paths hold characters KV keys cannot. */
export function fileKey(file: FileIdentity): string {
  return hash("sha256", `${file.path}\n${file.size}\n${file.modified}`, "hex").slice(0, 40);
}

export interface LedgerOptions {
  readonly bucket: string;
  readonly retentionMs: number;
  readonly replicas?: number;
}

export async function kvFileLedger(nc: NatsConnection, options: LedgerOptions): Promise<FileLedger> {
  const kv = await new Kvm(nc).create(options.bucket, {
    history: 1,
    ttl: options.retentionMs,
    replicas: options.replicas ?? 1,
  });
  // An existing bucket keeps the age limit it was made with: bring it to the configured retention.
  const jsm = await jetstreamManager(nc);
  const stream = `KV_${options.bucket}`;
  const info = await jsm.streams.info(stream);
  const maxAge = options.retentionMs * 1_000_000;
  if (info.config.max_age !== maxAge) await jsm.streams.update(stream, { ...info.config, max_age: maxAge });
  return {
    async seen(file) {
      const entry = await kv.get(fileKey(file));
      if (entry?.operation !== "PUT" || entry.value.length === 0) return null;
      const value = entry.json<{ at?: string; tasks?: string[] }>();
      return { at: value.at ?? "", tasks: value.tasks ?? [] };
    },
    async remember(file, triggered) {
      await kv.put(fileKey(file), JSON.stringify({ ...file, ...triggered }));
    },
  };
}
