/**
 * Reading the last message of a subject from a stream (a JetStream direct get, as a KV get is), many at once.
 *
 * `nc.request()` costs a timer, a promise chain and two errors made ahead for their stack traces on every request:
 * about as much CPU as the whole of a pipelined publish. Like the `Publisher`, this sends each request with a reply
 * subject under one inbox subscription and keeps one sweep timer for all deadlines. A request that gets no answer in
 * time is rejected with a `LastMessageTimeoutError` (the caller decides whether to ask again); one sent while the
 * connection was down never gets its answer, and is rejected the same way.
 */
import { createInbox, type Msg, type NatsConnection } from "@nats-io/transport-node";

export interface LastMessageOptions {
  /** How long to wait for an answer (default 5 s). */
  readonly timeoutMs?: number;
}

/** No answer came in time. */
export class LastMessageTimeoutError extends Error {
  override readonly name = "LastMessageTimeoutError";
  constructor(stream: string, subject: string, timeoutMs: number) {
    super(`no answer from stream ${stream} in ${timeoutMs} ms for the last message of ${subject}`);
  }
}

/** The stream answered with an error status (other than "no message"), or the reader was closed. */
export class LastMessageError extends Error {
  override readonly name = "LastMessageError";
}

interface Asking {
  /** The reply subject's last token: the slot and a count that tells its occupants apart. */
  readonly token: string;
  readonly slot: number;
  readonly stream: string;
  readonly subject: string;
  readonly deadline: number;
  readonly resolve: (msg: Msg | null) => void;
  readonly reject: (err: Error) => void;
}

export class LastMessageReader {
  readonly #nc: NatsConnection;
  readonly #inbox: string;
  /** Requests awaiting their answers, in slots that are reused (see the `Publisher`: no Map rebuilt again and again). */
  readonly #slots: (Asking | undefined)[] = [];
  readonly #free: number[] = [];
  readonly #timeoutMs: number;
  readonly #sweep: NodeJS.Timeout;
  #next = 0;
  #closed = false;

  constructor(nc: NatsConnection, options: LastMessageOptions = {}) {
    this.#nc = nc;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#inbox = createInbox();
    nc.subscribe(`${this.#inbox}.*`, { callback: (err, msg) => (err ? undefined : this.#onAnswer(msg)) });
    this.#sweep = setInterval(() => this.#expire(), Math.min(250, this.#timeoutMs));
    this.#sweep.unref();
  }

  /** The last message stored on `subject` in `stream`, or null when there is none. */
  get(stream: string, subject: string): Promise<Msg | null> {
    if (this.#closed) return Promise.reject(new LastMessageError("the reader is closed"));
    return new Promise<Msg | null>((resolve, reject) => {
      const slot = this.#free.pop() ?? this.#slots.length;
      const token = `${slot.toString(36)}-${(this.#next++).toString(36)}`;
      const deadline = Date.now() + this.#timeoutMs;
      const asking: Asking = { token, slot, stream, subject, deadline, resolve, reject };
      this.#slots[slot] = asking;
      try {
        this.#nc.publish(`$JS.API.DIRECT.GET.${stream}.${subject}`, undefined, {
          reply: `${this.#inbox}.${token}`,
        });
      } catch (err) {
        this.#release(asking);
        reject(err instanceof Error ? err : new LastMessageError(String(err)));
      }
    });
  }

  /** Rejects what is still waiting. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const asking of this.#slots)
      asking?.reject(new LastMessageError("the reader closed before the answer"));
    this.#slots.length = 0;
    this.#free.length = 0;
  }

  #onAnswer(msg: Msg): void {
    const token = msg.subject.slice(this.#inbox.length + 1);
    const asking = this.#slots[Number.parseInt(token, 36)];
    if (!asking || asking.token !== token) return;
    this.#release(asking);
    const code = msg.headers?.code ?? 0;
    if (code === 0) asking.resolve(msg);
    else if (code === 404) asking.resolve(null);
    else {
      const why = msg.headers?.description ?? "";
      const text = `stream ${asking.stream} answered ${code} ${why} for the last message of ${asking.subject}`;
      asking.reject(new LastMessageError(text));
    }
  }

  #release(asking: Asking): void {
    this.#slots[asking.slot] = undefined;
    this.#free.push(asking.slot);
  }

  #expire(): void {
    const now = Date.now();
    for (const asking of this.#slots) {
      if (asking === undefined || asking.deadline > now) continue;
      this.#release(asking);
      asking.reject(new LastMessageTimeoutError(asking.stream, asking.subject, this.#timeoutMs));
    }
  }
}
