/**
 * Reading one stream for the history: an ordered consumer (ephemeral, never acks) from a sequence on, in pulls
 * bounded in bytes, each asked for only once the follower has room for it, so the history never reads far ahead of
 * what it has written. A stream that does not exist yet is looked for again until it does; a consumer that fails
 * (the server restarted, the stream was recreated) is made again from the last message read.
 */
import { type ConsumerMessages, JetStreamError, type JsMsg, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

export interface StreamReaderOptions {
  readonly nc: NatsConnection;
  readonly stream: string;
  /** The last sequence already projected: reading starts after it. */
  readonly after: number;
  /** Each message, in stream order. */
  readonly onMessage: (m: JsMsg) => void;
  /** Resolves when the follower has room for another pull. */
  readonly room: () => Promise<void>;
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
 * How much one pull asks for. The server keeps what it has sent and the client has not read yet, and cuts a client
 * that has more than `max_pending` (64 MB by default) waiting as a slow consumer; four streams read at once each
 * ask for at most this much (and nats.js for at most 100 messages). A pull has to fit the largest message the server
 * accepts, or that message would never come.
 */
const pullBytes = 4 * 1024 * 1024;
/** What a pull counts beyond a message's headers and payload (bounded by `max_payload`): its subjects. */
const envelopeBytes = 64 * 1024;
/** What nats.js asks a pull bounded in bytes for, in messages. */
const pullMessages = 100;
/** A pull waits this long for messages on an idle stream before the next is asked for. */
const pullExpiresMs = 5000;

export function readStream(options: StreamReaderOptions): StreamReader {
  const { nc, stream, onMessage, room, retryMs, onError } = options;
  const js = jetstream(nc);
  const maxBytes = Math.max(pullBytes, (nc.info?.max_payload ?? 0) + envelopeBytes);
  let last = options.after;
  let stopped = false;
  let pulling: ConsumerMessages | undefined;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async () => {
    let consumer: Awaited<ReturnType<typeof js.consumers.get>> | undefined;
    while (!stopped) {
      try {
        consumer ??= await js.consumers.get(stream, { opt_start_seq: last + 1 });
        await room();
        if (stopped) break;
        const pull = await consumer.fetch({ max_bytes: maxBytes, expires: pullExpiresMs });
        pulling = pull;
        let count = 0;
        for await (const m of pull) {
          if (stopped) break;
          // The server ends a pull after its last message without a word: nats.js would wait for it to expire.
          if (++count === pullMessages) pull.stop();
          if (m.seq <= last) continue;
          last = m.seq;
          onMessage(m);
        }
      } catch (err) {
        if (stopped) break;
        if (isByteLimitReached(err)) continue; // the pull is full: the next one takes the rest
        consumer = undefined;
        if (!isStreamMissing(err)) onError(stream, err);
        await pause(retryMs);
      } finally {
        pulling = undefined;
      }
    }
  };
  const done = run();

  return {
    stop() {
      stopped = true;
      pulling?.stop();
      wake?.();
      return done;
    },
  };
}

/** The server ends a pull whose next message would pass its byte limit with this status; nats.js throws it. */
function isByteLimitReached(err: unknown): boolean {
  return (
    err instanceof JetStreamError &&
    (err as { code?: unknown }).code === 409 &&
    /message size exceeds maxbytes/i.test(err.message)
  );
}

function isStreamMissing(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === "StreamNotFoundError" || /stream not found/i.test(err.message))
  );
}
