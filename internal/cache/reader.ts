/**
 * Reading one stream for the history: an ordered consumer (ephemeral, never acks) from a sequence on, its pulls
 * bounded in bytes, each message handed to the follower as it is received. The follower writes a batch as soon as
 * it is full, in the same turn of the event loop, so what is read ahead of the writing is at most one batch and what
 * the pulls asked for. A stream that does not exist yet is looked for again until it does; a consumer that fails
 * (the server restarted, the stream was recreated) is made again from the last message read.
 */
import { type ConsumerMessages, type JsMsg, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

export interface StreamReaderOptions {
  readonly nc: NatsConnection;
  readonly stream: string;
  /** The last sequence already projected: reading starts after it. */
  readonly after: number;
  /** Each message, in stream order. */
  readonly onMessage: (m: JsMsg) => void;
  /** How long to wait before looking again for a missing stream or making a failed consumer again. */
  readonly retryMs: number;
  /** A failure other than a missing stream (it is retried). */
  readonly onError: (stream: string, err: unknown) => void;
}

export interface StreamReader {
  /** Ends the pull in flight; resolves once the reader stopped (no message is handed over after). */
  stop(): Promise<void>;
}

/**
 * How much a consumer has asked for and not received, at most. The server keeps what it has sent and the client has
 * not read yet, and cuts a client that has more than `max_pending` (64 MB by default) waiting as a slow consumer;
 * five streams read at once each ask for at most this much (and nats.js for at most 100 messages). A pull has to fit
 * the largest message the server accepts, or that message would never come.
 */
const pullBytes = 4 * 1024 * 1024;
/** What a pull counts beyond a message's headers and payload (bounded by `max_payload`): its subjects. */
const envelopeBytes = 64 * 1024;
/**
 * A pull bounded in bytes asks for 100 messages at most (nats.js); the next pull is asked for when this many are left
 * of those asked for. nats.js would ask again at 75: a pull request every 25 messages, 2 400 requests a second for
 * 60 000 messages, each a write to the socket and a request for the server.
 */
const refillAt = 20;
/** A pull waits this long for messages on an idle stream before it is asked again. */
const pullExpiresMs = 5000;

export function readStream(options: StreamReaderOptions): StreamReader {
  const { nc, stream, onMessage, retryMs, onError } = options;
  const js = jetstream(nc);
  const maxBytes = Math.max(pullBytes, (nc.info?.max_payload ?? 0) + envelopeBytes);
  let last = options.after;
  let stopped = false;
  let reading: ConsumerMessages | undefined;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  // Called as each message is received: handed over at once, never queued here.
  const callback = (m: JsMsg) => {
    if (stopped || m.seq <= last) return;
    last = m.seq;
    onMessage(m);
  };

  const run = async () => {
    while (!stopped) {
      try {
        const consumer = await js.consumers.get(stream, { opt_start_seq: last + 1 });
        if (stopped) break;
        reading = await consumer.consume({
          max_bytes: maxBytes,
          threshold_messages: refillAt,
          expires: pullExpiresMs,
          callback,
        });
        if (stopped) reading.stop();
        const err = await reading.closed();
        if (stopped) break;
        if (err) throw err;
      } catch (err) {
        if (stopped) break;
        if (!isStreamMissing(err)) onError(stream, err);
        await pause(retryMs);
      } finally {
        reading = undefined;
      }
    }
  };
  const done = run();

  return {
    stop() {
      stopped = true;
      reading?.stop();
      wake?.();
      return done;
    },
  };
}

function isStreamMissing(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === "StreamNotFoundError" || /stream not found/i.test(err.message))
  );
}
