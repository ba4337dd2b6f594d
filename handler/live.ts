/**
 * Live changes for the pages: `GET /api/v1/events`, server-sent events, built so that readers cannot slow the
 * service. One subscription to the service's changes serves every client, and there is none while nobody listens.
 * Changes are coalesced over a short window into one `change` message (a task's latest state once, files and alerts
 * once, at most `maxListed` listed and the rest counted), encoded once and queued to every client. A client whose
 * queue grows past `bufferBytes` (it does not read, and its socket is full) is dropped, and past `maxClients` a new
 * client is answered 503. A comment every 15 s keeps proxies from closing a quiet stream.
 */
import type { Context, Hono, MiddlewareHandler } from "hono";

/** What a page needs to know to refresh itself: what kind of thing changed, and for tasks their id and result. */
export interface LiveChange {
  readonly kind: "task" | "file" | "alert";
  readonly id?: string;
  readonly result?: string;
}

export interface LiveLimits {
  /** Clients served at once; one more is answered 503. */
  readonly maxClients: number;
  /** Bytes queued for a client (beyond what its socket holds) before it is dropped. */
  readonly bufferBytes: number;
  /** How long changes are gathered into one message. */
  readonly windowMs: number;
  /** Changes listed in one message; the rest are counted in `more`. */
  readonly maxListed: number;
}

export const liveLimits: LiveLimits = {
  maxClients: 256,
  bufferBytes: 64 * 1024,
  windowMs: 250,
  maxListed: 100,
};

export interface LiveDeps {
  /** Live changes (a task published or done, a file, an alert); returns the unsubscribe. */
  readonly subscribe?: (listener: (change: LiveChange) => void) => () => void;
  readonly live?: Partial<LiveLimits>;
}

/** A client dropped for not reading: the reason its stream ends with. */
export class LiveClientDropped extends Error {
  override readonly name = "LiveClientDropped";
}

type Client = ReadableStreamDefaultController<Uint8Array>;

const encoder = new TextEncoder();
const keepAlive = encoder.encode(": keep-alive\n\n");

export function mountLive(app: Hono, deps: LiveDeps, read: MiddlewareHandler): void {
  const subscribe = deps.subscribe;
  const limits = { ...liveLimits, ...deps.live };
  const feed = subscribe ? liveFeed(subscribe, limits) : undefined;
  app.get("/api/v1/events", read, (c: Context) => {
    if (!feed) return c.json({ error: "no live events here" }, 404);
    const stream = feed.connect();
    if (!stream)
      return c.json(
        { error: `too many clients follow the live events (${limits.maxClients} at most): try again later` },
        503,
        { "Retry-After": "30" },
      );
    return c.body(stream, 200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
    });
  });
}

function liveFeed(subscribe: NonNullable<LiveDeps["subscribe"]>, limits: LiveLimits) {
  const clients = new Set<Client>();
  let off: (() => void) | undefined;
  let ping: NodeJS.Timeout | undefined;
  const window = coalescer(limits, (message) => {
    for (const client of clients) send(client, message);
  });

  const remove = (client: Client) => {
    if (!clients.delete(client) || clients.size > 0) return;
    off?.();
    off = undefined;
    clearInterval(ping);
    window.clear();
  };
  const send = (client: Client, bytes: Uint8Array) => {
    try {
      client.enqueue(bytes);
    } catch {
      remove(client); // closed meanwhile
      return;
    }
    if ((client.desiredSize ?? 0) >= 0) return;
    remove(client);
    // Erroring the stream drops what waits in it and closes the connection.
    client.error(
      new LiveClientDropped(`dropped: more than ${limits.bufferBytes} bytes of events waited unread`),
    );
  };

  return {
    /** A new client's stream, or undefined when there are too many. */
    connect(): ReadableStream<Uint8Array> | undefined {
      if (clients.size >= limits.maxClients) return undefined;
      let self: Client | undefined;
      const stream = new ReadableStream<Uint8Array>(
        {
          start(controller) {
            self = controller;
            clients.add(controller);
          },
          cancel() {
            if (self) remove(self);
          },
        },
        new ByteLengthQueuingStrategy({ highWaterMark: limits.bufferBytes }),
      );
      if (!off) {
        off = subscribe(window.add);
        ping = setInterval(() => {
          for (const client of clients) send(client, keepAlive);
        }, 15_000);
        ping.unref();
      }
      return stream;
    },
  };
}

/** Gathers changes for `windowMs`, then hands over one encoded `change` message. */
function coalescer(limits: LiveLimits, flush: (message: Uint8Array) => void) {
  let tasks = new Map<string, string>();
  let files = false;
  let alerts = false;
  let more = 0;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    clearTimeout(timer);
    timer = undefined;
    tasks = new Map();
    files = false;
    alerts = false;
    more = 0;
  };
  const send = () => {
    const changes: LiveChange[] = [];
    for (const [id, result] of tasks) changes.push({ kind: "task", id, result });
    if (files) changes.push({ kind: "file" });
    if (alerts) changes.push({ kind: "alert" });
    const data = JSON.stringify({ changes, more });
    clear();
    flush(encoder.encode(`event: change\ndata: ${data}\n\n`));
  };
  return {
    clear,
    add(change: LiveChange) {
      if (change.kind === "file") files = true;
      else if (change.kind === "alert") alerts = true;
      else {
        const id = change.id ?? "";
        if (tasks.has(id) || tasks.size < limits.maxListed) tasks.set(id, change.result ?? "");
        else more++;
      }
      if (!timer) {
        timer = setTimeout(send, limits.windowMs);
        timer.unref();
      }
    },
  };
}
