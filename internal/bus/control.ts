/**
 * Requests to the running engines, on core NATS: a request concerns the processes running now, so it is not kept in
 * a stream. Each engine subscribes without a queue group, so every one of them answers; a requester that wants all
 * the answers gathers them (`requestMany`).
 */
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Problem } from "../errors/index.ts";

/** Asks the engines to reload their workflows now; each answers with a `ReloadReply`. */
export const reloadSubject = "taskmaster.control.reload";

export interface ReloadReply {
  /** The id of the engine that answered (its key in the instances bucket). */
  readonly instance: string;
  /** The workflows that changed (`-name` for one removed); none when nothing changed or the set was refused. */
  readonly changed: readonly string[];
  /** Every problem found in the set, errors and warnings; an error means it was refused. */
  readonly problems: readonly Problem[];
}

export interface Responder {
  stop(): void;
}

const encoder = new TextEncoder();

/**
 * Answers every request on `subject` with what `answer` resolves to, as JSON; an answer that fails is sent as
 * `{ error }`, so the requester is not left waiting for its timeout.
 */
export function answerRequests(
  nc: NatsConnection,
  subject: string,
  answer: (request: Msg) => Promise<unknown>,
): Responder {
  const respond = (msg: Msg, value: unknown) => {
    try {
      msg.respond(encoder.encode(JSON.stringify(value)));
    } catch {
      // The connection is closing: the requester times out.
    }
  };
  const sub: Subscription = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      answer(msg).then(
        (value) => respond(msg, value),
        (e: unknown) => respond(msg, { error: e instanceof Error ? e.message : String(e) }),
      );
    },
  });
  return {
    stop() {
      sub.unsubscribe();
    },
  };
}
