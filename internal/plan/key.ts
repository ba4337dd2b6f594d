/**
 * Dedupe keys stay small whatever the task: a key is kept as written while it is short (readable, and the same key
 * as ever for the same trigger), and a longer one, made from a task's large info or id or a long file path, is
 * replaced by its SHA-256. Keys travel inside retry records, which must fit NATS's max_payload beside the task.
 */
import { hash } from "node:crypto";

/** The longest key kept as written. */
export const maxKeyLength = 512;

/** `key` when it is at most `maxKeyLength` long, else `sha256:` and its hash; a written key always holds a `|`. */
export function boundedKey(key: string): string {
  return key.length <= maxKeyLength ? key : `sha256:${hash("sha256", key, "base64url")}`;
}
