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
import { LastMessageReader, messageBytes, type Publisher } from "../bus/index.ts";

const recordText = new TextDecoder();

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
  /** Resolves once the record is stored. */
  remember(file: FileIdentity, triggered: Triggered): Promise<void>;
  /** Stops reading; looks still waiting are rejected. */
  close?(): void;
}

/** The KV key of a file: a hash, because paths hold characters KV keys cannot. */
export function fileKey(file: FileIdentity): string {
  return hash("sha256", `${file.path}\n${file.size}\n${file.modified}`, "hex").slice(0, 40);
}

export interface LedgerOptions {
  readonly bucket: string;
  readonly retentionMs: number;
  readonly replicas?: number;
  /** Writes the records, pipelined with the service's other publishes, each retried until it is stored. */
  readonly publisher: Publisher;
}

/**
 * The ledger in a KV bucket. It is read and written as the bucket's stream, a record a message on `$KV.<bucket>.<key>`
 * (what a KV get and put are): a look is a direct get and a record a publish, both pipelined (`LastMessageReader`,
 * `Publisher`), so that the files of a burst cost no timer, no request object and no round trip of their own each.
 */
export async function kvFileLedger(nc: NatsConnection, options: LedgerOptions): Promise<FileLedger> {
  const { bucket, publisher } = options;
  await new Kvm(nc).create(bucket, {
    history: 1,
    ttl: options.retentionMs,
    replicas: options.replicas ?? 1,
  });
  // An existing bucket keeps the age limit it was made with: bring it to the configured retention.
  const jsm = await jetstreamManager(nc);
  const stream = `KV_${bucket}`;
  const info = await jsm.streams.info(stream);
  const maxAge = options.retentionMs * 1_000_000;
  if (info.config.max_age !== maxAge) await jsm.streams.update(stream, { ...info.config, max_age: maxAge });
  const reader = new LastMessageReader(nc);
  // A file is looked up and then remembered under the same key: hashed once.
  const keys = new WeakMap<FileIdentity, string>();
  const keyOf = (file: FileIdentity) => {
    let key = keys.get(file);
    if (key === undefined) {
      key = fileKey(file);
      keys.set(file, key);
    }
    return key;
  };
  const subjectOf = (file: FileIdentity) => `$KV.${bucket}.${keyOf(file)}`;
  return {
    async seen(file) {
      const msg = await reader.get(stream, subjectOf(file));
      const operation = msg?.headers?.get("KV-Operation") ?? "";
      if (msg === null || (operation !== "" && operation !== "PUT") || msg.data.length === 0) return null;
      const value = JSON.parse(recordText.decode(msg.data)) as { at?: string; tasks?: string[] };
      return { at: value.at ?? "", tasks: value.tasks ?? [] };
    },
    async remember(file, triggered) {
      const record = messageBytes(JSON.stringify({ ...file, ...triggered }));
      // The id (the key and the time, 49 characters) makes a second send of the same record one the stream drops.
      const id = `${keyOf(file)}-${Date.parse(triggered.at).toString(36)}`;
      await publisher.publish(subjectOf(file), record, id);
    },
    close: () => reader.close(),
  };
}
