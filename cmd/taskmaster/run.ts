/**
 * `taskmaster run`: the service. Loads the config (file, TASKMASTER_* environment, flags), starts the API and then
 * the service (waiting for NATS as long as it takes), and on SIGTERM or SIGINT drains and exits 0; 1 when the drain
 * was not clean or took longer than 10 s (`lifecycle.ts`).
 */

import type { StartingView, Tokens } from "../../handler/index.ts";
import { ConnectAbortedError, NatsUrlError } from "../../internal/bus/index.ts";
import {
  type Config,
  configSecrets,
  formatConfigProblem,
  hasConfigErrors,
  hideUrlCredentials,
  loadConfig,
} from "../../internal/config/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { formatProblem } from "../../internal/errors/index.ts";
import { createLogger, type Logger } from "../../internal/log/index.ts";
import { logEvents } from "./eventlog.ts";
import {
  checkExposure,
  HttpConfigError,
  type HttpServer,
  listenHttp,
  tokenFileSecrets,
  tokensOf,
} from "./http.ts";
import { Exit, type Io, UsageError } from "./io.ts";
import { type Running, runUntilSignal } from "./lifecycle.ts";
import { type Service, StartupError, startService } from "./service.ts";
import { version } from "./version.ts";

export const runUsage = `Usage: taskmaster run [--config FILE] [--KEY VALUE ...]
  --config FILE     the service config (TOML); default: $TASKMASTER_CONFIG, else built-in defaults
  --KEY VALUE       any config key, e.g. --nats.url nats://host:4222 --workflow dir --log.level debug`;

/** Splits `--config FILE` (or `--config=FILE`) from the other flags, which are config keys. */
export function configArgs(args: readonly string[], env: Io["env"]): { file?: string; flags: string[] } {
  const flags: string[] = [];
  let file = env.TASKMASTER_CONFIG || undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--config" || arg === "-c") {
      const next = args[++i];
      if (!next) throw new UsageError("--config needs a FILE");
      file = next;
    } else if (arg.startsWith("--config=")) file = arg.slice("--config=".length);
    else flags.push(arg);
  }
  return file ? { file, flags } : { flags };
}

/** Loads the config or explains every problem; null when it cannot be used. */
export function readConfig(args: readonly string[], io: Io): Config | null {
  const { file, flags } = configArgs(args, io.env);
  const { config, problems } = loadConfig({ ...(file ? { file } : {}), env: io.env, flags, cwd: io.cwd });
  for (const p of problems) io.err(formatConfigProblem(p));
  return hasConfigErrors(problems) ? null : config;
}

export async function runCommand(args: readonly string[], io: Io): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(runUsage);
    return Exit.ok;
  }
  const config = readConfig(args, io);
  if (!config) return Exit.failed;
  const log = commandLogger(config, io);
  return runUntilSignal((stopping) => start(config, io, log, stopping), log);
}

/**
 * The logger of every command that reads the config: its level and format, and every secret kept out of its lines,
 * those in the config and the tokens read from `http.*_token_file`.
 */
export function commandLogger(
  config: Config,
  io: Pick<Io, "cwd">,
  destination?: NodeJS.WritableStream,
): Logger {
  return createLogger({
    level: config.log.level,
    format: config.log.format,
    secrets: [...configSecrets(config), ...tokenFileSecrets(config, io.cwd)],
    ...(destination ? { destination } : {}),
  });
}

/** What `start` started: the service once NATS answered, undefined when a signal came first. */
export interface Started extends Running {
  readonly service: Service | undefined;
}

/**
 * Starts the API, then the service: the API answers the probes while NATS is waited for (`/readyz` says what for),
 * and serves everything once the service runs. Null when the start failed (the reasons are logged); a `stopping`
 * signal during the wait for NATS gives up waiting and returns what then only needs stopping (the API).
 */
export async function start(
  config: Config,
  io: Io,
  log: Logger,
  stopping: AbortSignal,
): Promise<Started | null> {
  log.info({ nats: hideUrlCredentials(config.nats.url), workflow: config.workflow }, "taskmaster starting");
  // Logged from the first event: what startup does to the cache (a restore, a degraded mount) is worth seeing.
  const events = new EngineEvents();
  const stopLogging = logEvents(events, log);
  const waiting = waitingFor(events);
  let http: HttpServer | undefined;
  try {
    http = await startHttp(config, io, log, waiting);
    const service = await startService(config, io.cwd, events, { signal: stopping });
    http?.serve(service);
    const s = service.state();
    log.info(
      { workflows: s.workflows, phases: s.phases, cache: s.cache.mode, http: http?.url },
      "taskmaster running",
    );
    return {
      service,
      stop: async () => {
        await http?.close();
        await service.stop();
      },
    };
  } catch (err) {
    if (err instanceof ConnectAbortedError) {
      log.info("stopped while waiting for NATS");
      return { service: undefined, stop: async () => http?.close() };
    }
    await http?.close();
    stopLogging();
    if (err instanceof HttpConfigError || err instanceof NatsUrlError) {
      log.error(err.message);
      return null;
    }
    if (!(err instanceof StartupError)) throw err;
    for (const p of err.problems) io.err(formatProblem(p));
    log.error(err.message);
    return null;
  }
}

/** What the service waits for, for `/readyz` while it starts: NATS, and why the last attempt failed. */
function waitingFor(events: EngineEvents): () => StartingView {
  let last = "";
  events.on("natsConnectFailed", (e) => {
    last = `: ${e.reason} (attempt ${e.attempt})`;
  });
  return () => ({ waiting: `waiting for NATS${last}` });
}

/**
 * The API beside the service. A configuration that would expose it without tokens refuses to start; a port that
 * cannot be bound is logged and the service runs on without it.
 */
async function startHttp(
  config: Config,
  io: Io,
  log: Logger,
  waiting: () => StartingView,
): Promise<HttpServer | undefined> {
  const tokens: Tokens = tokensOf(config, io.cwd);
  checkExposure(config.http, tokens);
  try {
    const http = await listenHttp(config, tokens, version, io.cwd, waiting);
    log.info({ http: http.url }, "API listening");
    return http;
  } catch (err) {
    log.error(
      { listen: config.http.listen, err },
      `the API cannot listen on ${config.http.listen}: ${(err as Error).message}; scheduling goes on without it`,
    );
    return undefined;
  }
}
