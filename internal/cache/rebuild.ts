/**
 * Rebuilding a lost cache from what NATS still holds: every task in the tasks stream (keyed by its Nats-Msg-Id, the
 * key the live projection uses) and then every done message, so each finished task updates its own record. The
 * streams keep `streams.max_age` of history (72 h by default), so that is what comes back; so does the audit trail
 * of people's actions, from its own stream. Files and alerts are not in the streams and are not rebuilt.
 */
import {
  type Consumer,
  type JetStreamClient,
  JetStreamError,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { parseMeta, parseTask, type Task } from "../task/index.ts";
import { actionOf, kindOf } from "./entries.ts";
import { dataTimeOf, doneRecord } from "./taskrecord.ts";
import type { CacheSink } from "./thread.ts";

export interface RebuildStreams {
  readonly tasks: string;
  readonly done: string;
  /** The audit stream (JSON action records), when there is one. */
  readonly audit?: string;
}

export interface Rebuilt {
  readonly tasks: number;
  readonly dones: number;
  readonly actions: number;
  /** Messages that were not tasks (skipped). */
  readonly skipped: number;
}

/** Replays both streams into the store; resolves when every message present at the start has been read. */
export async function rebuildFromStreams(
  nc: NatsConnection,
  store: CacheSink,
  streams: RebuildStreams,
): Promise<Rebuilt> {
  const js = jetstream(nc);
  let skipped = 0;
  const tasks = await replay(
    nc,
    js,
    streams.tasks,
    (m, task) => {
      const meta = parseMeta(task.meta);
      const job = task.job || meta.get("job") || "";
      store.taskEmitted({
        key: m.headers?.get("Nats-Msg-Id") || `${streams.tasks}:${m.seq}`,
        id: task.id ?? "",
        type: task.type,
        job,
        info: task.info,
        meta: task.meta ?? "",
        kind: kindOf(meta),
        subject: m.subject,
        workflow: meta.get("workflow") ?? "",
        phase: job ? `${task.type}:${job}` : task.type,
        created: task.created ?? stored(m),
        published: stored(m),
        dataTime: dataTimeOf(task),
      });
    },
    () => skipped++,
  );
  const dones = await replay(
    nc,
    js,
    streams.done,
    (m, task) => store.taskDone(doneRecord(task, stored(m))),
    () => skipped++,
  );
  const actions = streams.audit
    ? await replay(
        nc,
        js,
        streams.audit,
        (_m, record) => store.actionTaken(record),
        () => skipped++,
        actionOf,
      )
    : 0;
  await store.flush();
  return { tasks, dones, actions, skipped };
}

function stored(m: JsMsg): string {
  return new Date(Math.floor(m.info.timestampNanos / 1e6)).toISOString();
}

/**
 * How much one pull of a replay asks for. The server keeps what it has sent and the client has not read yet, and
 * cuts a client that has more than `max_pending` (64 MB by default) waiting as a slow consumer: a pull by count
 * alone (1 000 messages of up to 1 MB each) can ask for a gigabyte. So each pull is bounded in bytes as well (and by
 * the client to 100 messages), and the next one is asked for once the messages of the last are stored. A pull has
 * to fit the largest message the server accepts, or that message would never come.
 */
const pullBytes = 8 * 1024 * 1024;
/** What a pull counts beyond a message's headers and payload (bounded by `max_payload`): its subjects. */
const envelopeBytes = 64 * 1024;

/** A stream the replay cannot read to its end. */
export class ReplayError extends Error {
  override readonly name = "ReplayError";
}

/** The server ends a pull whose next message would pass its byte limit with this status; nats.js throws it. */
function isByteLimitReached(err: unknown): boolean {
  return (
    err instanceof JetStreamError &&
    (err as { code?: unknown }).code === 409 &&
    /message size exceeds maxbytes/i.test(err.message)
  );
}

/** The messages of one pull, in order; it ends at its byte limit, at 100 messages, or after 2 s without one. */
async function* pull(
  consumer: Consumer,
  stream: string,
  maxBytes: number,
  after: number,
): AsyncGenerator<JsMsg> {
  const batch = await consumer.fetch({ max_bytes: maxBytes, expires: 2000 });
  let seen = 0;
  try {
    for await (const m of batch) {
      seen++;
      yield m;
    }
  } catch (err) {
    if (!isByteLimitReached(err)) throw err;
    if (seen === 0) {
      const what = `stream ${stream}: the message after sequence ${after} is larger than a pull of ${maxBytes} bytes`;
      throw new ReplayError(what, { cause: err });
    }
  }
}

async function replay<T = Task>(
  nc: NatsConnection,
  js: JetStreamClient,
  stream: string,
  each: (m: JsMsg, item: T) => void,
  bad: () => void,
  parse: (data: Uint8Array) => T = (data) => parseTask(data) as T,
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream).catch(() => null);
  if (!info || info.state.messages === 0) return 0;
  const last = info.state.last_seq;
  const consumer = await js.consumers.get(stream); // an ordered, ephemeral consumer: reads, never acks
  const maxBytes = Math.max(pullBytes, (nc.info?.max_payload ?? 0) + envelopeBytes);
  let count = 0;
  let seq = 0;
  for (;;) {
    const before = seq;
    for await (const m of pull(consumer, stream, maxBytes, seq)) {
      seq = m.seq;
      try {
        each(m, parse(m.data));
        count++;
      } catch {
        bad();
      }
      if (m.seq >= last) return count;
    }
    if (seq === before) return count; // the rest expired meanwhile
  }
}
