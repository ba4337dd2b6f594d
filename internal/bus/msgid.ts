/**
 * Nats-Msg-Id from a planner dedupe key. Keys are long and readable (`child|<parent>|wf|phase|row`); the id is
 * their SHA-256, so it is short, fixed-size and the same for the same trigger in every process.
 */
import { hash } from "node:crypto";

export function msgIdOf(dedupeKey: string): string {
  // The one-shot `hash` costs half of `createHash().update().digest()`.
  return hash("sha256", dedupeKey, "base64url");
}
