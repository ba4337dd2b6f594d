/**
 * The first connection of a service that must not give up on it: tried again with a doubling wait until it works
 * or the caller stops waiting. Each failure is reported with what kind of failure it is, so that a wrong password
 * or a TLS problem reads as such; those are retried too, since an operator may be fixing them. Once connected, the
 * client reconnects by itself (`connectionOptions`).
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { doublingDelayMs } from "../backoff/index.ts";
import { connectNats, type NatsSettings, serverList } from "./connect.ts";

/** What kind of failure a connection attempt met. */
export const ConnectProblem = {
  unreachable: "unreachable",
  authorization: "authorization",
  tls: "tls",
  other: "other",
} as const;
export type ConnectProblem = (typeof ConnectProblem)[keyof typeof ConnectProblem];

export interface ConnectFailure {
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly problem: ConnectProblem;
  /** The failure in words, the kind first: "authorization failed: Authorization Violation". */
  readonly reason: string;
  /** The servers tried, without credentials. */
  readonly servers: readonly string[];
  readonly retryInMs: number;
}

export interface FirstConnectOptions {
  /** Aborting stops the waiting: the promise rejects with `ConnectAbortedError`. */
  readonly signal?: AbortSignal;
  readonly onFailure?: (failure: ConnectFailure) => void;
  /** The wait after the first failure (default 1 s); it doubles up to `maxDelayMs` (default 30 s). */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
}

export class ConnectAbortedError extends Error {
  override readonly name = "ConnectAbortedError";
}

/**
 * Connects to NATS, trying again after each failure until it works or `signal` aborts. A URL list that cannot be
 * used (`NatsUrlError`) fails at once: trying again would not change it.
 */
export async function connectPersistently(
  settings: NatsSettings,
  options: FirstConnectOptions = {},
): Promise<NatsConnection> {
  const { signal } = options;
  const { servers } = serverList(settings.url);
  const firstMs = options.firstDelayMs ?? 1000;
  const maxMs = options.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw aborted();
    try {
      // Options are built on each attempt: a credentials or key file that was missing may be there now.
      return await unlessAborted(
        Promise.resolve().then(() => connectNats(settings)),
        signal,
      );
    } catch (err) {
      if (err instanceof ConnectAbortedError) throw err;
      const retryInMs = doublingDelayMs(attempt, firstMs, maxMs);
      const problem = problemOf(err);
      options.onFailure?.({ attempt, problem, reason: describe(problem, err), servers, retryInMs });
      await pause(retryInMs, signal);
    }
  }
}

/** Network failures by their system error code, on the error or on its cause. */
const networkCodes = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT)$/;

/** Sorts a connection failure: the client's authorization errors, TLS errors (Node's or the client's), the rest. */
export function problemOf(err: unknown): ConnectProblem {
  const error = err instanceof Error ? err : new Error(String(err));
  const codeOf = (e: unknown) => String((e as { code?: unknown } | undefined)?.code ?? "");
  const codes = [codeOf(error), codeOf(error.cause)];
  const message = error.message;
  if (error.name === "AuthorizationError" || error.name === "UserAuthenticationExpiredError")
    return ConnectProblem.authorization;
  if (/authorization violation|authentication/i.test(message)) return ConnectProblem.authorization;
  if (codes.some((c) => /^(ERR_TLS|ERR_SSL|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|CERT_)/.test(c)))
    return ConnectProblem.tls;
  if (/\btls\b|certificate|\bssl\b/i.test(message)) return ConnectProblem.tls;
  if (codes.some((c) => networkCodes.test(c))) return ConnectProblem.unreachable;
  if (/connection refused|timeout|timed out|getaddrinfo/i.test(message)) return ConnectProblem.unreachable;
  return ConnectProblem.other;
}

const problemWords: Record<ConnectProblem, string> = {
  unreachable: "no server answers",
  authorization: "authorization failed",
  tls: "TLS failed",
  other: "cannot connect",
};

function describe(problem: ConnectProblem, err: unknown): string {
  return `${problemWords[problem]}: ${err instanceof Error ? err.message : String(err)}`;
}

function aborted(): ConnectAbortedError {
  return new ConnectAbortedError("stopped while waiting for NATS");
}

/** The attempt, or a rejection as soon as `signal` aborts; a connection made after that is closed. */
function unlessAborted(attempt: Promise<NatsConnection>, signal?: AbortSignal): Promise<NatsConnection> {
  if (!signal) return attempt;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener("abort", onAbort, { once: true });
    attempt.then(
      (nc) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) void nc.close();
        else resolve(nc);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/** Waits `ms`, or less when `signal` aborts (then rejects). The wait keeps the process alive: it is what it does. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
