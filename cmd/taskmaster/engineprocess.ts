/**
 * The engine process (`run --role engine`, `run` and `dev`): its listener first, so the probes answer while NATS is
 * waited for; the history process beside it when asked (role all), with the proxy to it; then the engine. Each is a
 * part of one composition (`parts.ts`): a failed start stops what had started, and the stop runs backwards.
 */
import { ConnectAbortedError, NatsUrlError } from "../../internal/bus/index.ts";
import { type Config, hideUrlCredentials } from "../../internal/config/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { formatProblem } from "../../internal/errors/index.ts";
import type { Logger } from "../../internal/log/index.ts";
import { type EngineRole, StartupError, startEngine } from "./engine.ts";
import { logEvents } from "./eventlog.ts";
import { type Front, listenFront } from "./front.ts";
import { checkExposure, HttpConfigError, tokensOf } from "./http.ts";
import type { Io } from "./io.ts";
import type { Running } from "./lifecycle.ts";
import { compose, type Parts } from "./parts.ts";
import { historyProxy } from "./proxy.ts";
import { type HistoryProcess, superviseHistory } from "./supervisor.ts";

/** What `start` started: the engine once NATS answered, undefined when a signal came first. */
export interface Started extends Running {
  readonly engine: EngineRole | undefined;
}

export interface StartOptions {
  /** The history process to run beside the engine (role all): its command line and environment. */
  readonly history?: { readonly args: readonly string[]; readonly env: NodeJS.ProcessEnv } | undefined;
}

/**
 * The engine process: its listener first (the probes answer while NATS is waited for, `/readyz` says what for), the
 * history process beside it (role all), then the engine. Null when the start failed (the reasons are logged); a
 * `stopping` signal during the wait for NATS gives up waiting and returns what then only needs stopping.
 */
export async function start(
  config: Config,
  io: Io,
  log: Logger,
  stopping: AbortSignal,
  options: StartOptions = {},
): Promise<Started | null> {
  log.info({ nats: hideUrlCredentials(config.nats.url), workflow: config.workflow }, "taskmaster starting");
  const events = new EngineEvents();
  const stopLogging = logEvents(events, log);
  try {
    return await compose((parts) => startParts(parts, config, io, log, stopping, events, options));
  } catch (err) {
    stopLogging();
    if (err instanceof HttpConfigError || err instanceof NatsUrlError) {
      log.error(err.message);
      return null;
    }
    if (err instanceof StartupError) {
      for (const p of err.problems) io.err(formatProblem(p));
      log.error(err.message);
      return null;
    }
    // Whatever failed after NATS answered (a stream refused, a bucket not writable): what had started is stopped.
    log.error({ err }, `taskmaster could not start: ${(err as Error).message}`);
    return null;
  }
}

async function startParts(
  parts: Parts,
  config: Config,
  io: Io,
  log: Logger,
  stopping: AbortSignal,
  events: EngineEvents,
  options: StartOptions,
): Promise<Started> {
  const tokens = tokensOf(config, io.cwd);
  checkExposure(config.http, tokens);
  let engine: EngineRole | undefined;
  const history = options.history
    ? parts.add("the history process", superviseHistory({ ...options.history, log }), (h) => h.stop())
    : undefined;
  const proxy = history ? parts.add("the proxy", historyProxy(history.target), (p) => p.close()) : undefined;
  const front = await listenOn(config, log, {
    config,
    tokens,
    events,
    engine: () => engine,
    waiting: waitingFor(events),
    ...(history ? { history: history.target } : {}),
    ...(proxy ? { rest: proxy.handle } : {}),
  });
  if (front) parts.add("the listener", front, (f) => f.close());
  try {
    engine = await startEngine(config, io.cwd, events, { signal: stopping });
  } catch (err) {
    if (!(err instanceof ConnectAbortedError)) throw err;
    log.info("stopped while waiting for NATS");
    return { engine: undefined, stop: () => parts.stop() };
  }
  // Stopped together: the engine's intake at once, the history sent SIGTERM at once, then both waited for.
  parts.add("the engine", engine, (e) => stopBeside(e, history));
  const s = engine.state();
  log.info(
    { workflows: s.workflows, phases: s.phases, http: front?.url, history: history?.pid() },
    "taskmaster running",
  );
  return { engine, stop: () => parts.stop() };
}

async function stopBeside(engine: EngineRole, history: HistoryProcess | undefined): Promise<void> {
  const child = history?.stop();
  try {
    await engine.stop();
  } finally {
    await child;
  }
}

/** The engine's listener; a port that cannot be bound is logged and the engine runs on without it. */
async function listenOn(
  config: Config,
  log: Logger,
  deps: Parameters<typeof listenFront>[0],
): Promise<Front | undefined> {
  try {
    const front = await listenFront(deps);
    log.info({ http: front.url }, "API listening");
    return front;
  } catch (err) {
    log.error(
      { listen: config.http.listen, err },
      `cannot listen on ${config.http.listen}: ${(err as Error).message}; scheduling goes on without it`,
    );
    return undefined;
  }
}

/** What the engine waits for, for `/readyz` while it starts: NATS, and why the last attempt failed. */
function waitingFor(events: EngineEvents): () => string {
  let last = "";
  events.on("natsConnectFailed", (e) => {
    last = `: ${e.reason} (attempt ${e.attempt})`;
  });
  return () => `waiting for NATS${last}`;
}
