/**
 * The Slack sender: a bounded queue in front of @slack/webhook's `IncomingWebhook`, so alerting never blocks the
 * engine (flowlord's alert channel could stall done-topic processing behind 1 s sleeps and slow posts).
 * One post in flight; 429 waits as long as Slack asks, other failures back off 1 s, 2 s, 4 s ... up to 60 s;
 * when the queue is full the oldest message goes. A message whose content Slack refuses is sent again as plain
 * text, cut to a safe size, rather than lost. Everything it does is reported as an event, scrubbed of the URL.
 */
import { type FetchFunction, IncomingWebhook, type IncomingWebhookSendArguments } from "@slack/webhook";
import { doublingDelayMs } from "../backoff/index.ts";
import { type Clock, systemClock } from "../clock/index.ts";
import { plainVersion, type SlackMessage } from "./blocks.ts";
import { classify, type PostFailure, parseRetryAfter, scrubber } from "./failure.ts";

export type SlackEvent =
  | { readonly type: "slackSent" }
  | {
      readonly type: "slackRetry";
      readonly attempt: number;
      readonly waitMs: number;
      readonly reason: string;
    }
  /** Slack refused the message's content; its plain version is sent instead. */
  | { readonly type: "slackRefused"; readonly reason: string }
  | { readonly type: "slackFailed"; readonly reason: string }
  /** Messages dropped at once: by a full queue (a burst is one event) or by `close`. */
  | { readonly type: "slackDropped"; readonly count: number };

export interface SlackSenderOptions {
  /** The incoming-webhook URL: a secret. "" makes every `send` a counted no-op. */
  url: string;
  channel?: string;
  clock?: Clock;
  /** Messages waiting (not counting the one in flight). */
  maxQueue?: number;
  /** Per post. */
  timeoutMs?: number;
  /** Posts per message, the first included. */
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  onEvent?: (event: SlackEvent) => void;
}

export interface SlackStats {
  sent: number;
  failed: number;
  dropped: number;
  queued: number;
  disabled: number;
}

export interface SlackSender {
  /** Enqueues and returns at once; never throws. */
  send(message: SlackMessage): void;
  stats(): SlackStats;
  /** Stops retrying and drops what is queued (counted); resolves when the post in flight, if any, ends. */
  close(): Promise<void>;
}

export function createSlackSender(options: SlackSenderOptions): SlackSender {
  const clock = options.clock ?? systemClock;
  const maxQueue = Math.max(1, options.maxQueue ?? 100);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const baseBackoffMs = options.baseBackoffMs ?? 1_000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const scrub = scrubber(options.url);
  const counts = { sent: 0, failed: 0, dropped: 0, disabled: 0 };
  const queue: SlackMessage[] = [];
  let closed = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let unreportedDrops = 0;
  // @slack/webhook's HTTP error has the status but not the headers; one post is in flight, so one slot suffices.
  let retryAfterMs: number | null = null;

  const emit = (event: SlackEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's bug must not stop delivery.
    }
  };

  const drop = (count: number) => {
    counts.dropped += count;
    if (unreportedDrops === 0) {
      // Coalesced: a burst into a full queue is one event, not hundreds.
      queueMicrotask(() => {
        emit({ type: "slackDropped", count: unreportedDrops });
        unreportedDrops = 0;
      });
    }
    unreportedDrops += count;
  };

  const capturingFetch: FetchFunction = async (input, init) => {
    const response = await fetch(input, init);
    retryAfterMs = response.status === 429 ? parseRetryAfter(response.headers.get("retry-after")) : null;
    return response;
  };
  const webhook = options.url
    ? new IncomingWebhook(options.url, {
        ...(options.channel ? { channel: options.channel } : {}),
        timeout: options.timeoutMs ?? 10_000,
        fetch: capturingFetch,
      })
    : null;

  /** Resolves after `ms`, or at once when `close` is called. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const cancel = clock.setTimer(ms, () => {
        wake = null;
        resolve();
      });
      wake = () => {
        cancel();
        wake = null;
        resolve();
      };
    });

  /** Posts `message`, retrying what is worth retrying; resolves with what ended it. */
  async function post(
    hook: IncomingWebhook,
    message: SlackMessage,
  ): Promise<"sent" | "closed" | PostFailure> {
    for (let attempt = 1; ; attempt++) {
      retryAfterMs = null;
      try {
        // Blocks are built as plain objects, within Slack's limits (blocks.ts); Slack validates them.
        await hook.send(message as IncomingWebhookSendArguments);
        return "sent";
      } catch (error) {
        if (closed) return "closed";
        const failure = classify(error, retryAfterMs, scrub);
        if (!failure.retryable || attempt >= maxAttempts) return failure;
        const waitMs = failure.retryAfterMs ?? doublingDelayMs(attempt, baseBackoffMs, maxBackoffMs);
        emit({ type: "slackRetry", attempt, waitMs, reason: failure.reason });
        await pause(waitMs);
        if (closed) return "closed";
      }
    }
  }

  async function deliver(hook: IncomingWebhook, message: SlackMessage): Promise<void> {
    let outcome = await post(hook, message);
    const plain = typeof outcome === "object" && outcome.refused ? plainVersion(message) : null;
    if (typeof outcome === "object" && plain !== null) {
      emit({ type: "slackRefused", reason: outcome.reason });
      outcome = await post(hook, plain);
    }
    if (outcome === "closed") return drop(1);
    if (outcome === "sent") {
      counts.sent++;
      emit({ type: "slackSent" });
      return;
    }
    counts.failed++;
    emit({ type: "slackFailed", reason: outcome.reason });
  }

  async function run(hook: IncomingWebhook): Promise<void> {
    try {
      for (let message = queue.shift(); message !== undefined && !closed; message = queue.shift()) {
        await deliver(hook, message);
      }
    } finally {
      // Whatever happened, the next `send` must be able to start a new loop.
      loop = null;
    }
  }

  return {
    send(message) {
      if (webhook === null) {
        counts.disabled++;
        return;
      }
      if (closed) return drop(1);
      if (queue.length >= maxQueue) {
        queue.shift();
        drop(1);
      }
      queue.push(message);
      // Started on a microtask so a synchronous burst is queued (and bounded) before the first post is taken.
      loop ??= Promise.resolve().then(() => run(webhook));
    },
    stats: () => ({ ...counts, queued: queue.length }),
    async close() {
      if (closed) return loop ?? undefined;
      closed = true;
      if (queue.length > 0) drop(queue.splice(0).length);
      wake?.();
      await loop;
    },
  };
}
