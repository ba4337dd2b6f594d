/**
 * `taskmaster run`: the service. Loads the config (file, TASKMASTER_* environment, flags), starts everything, and on
 * SIGTERM or SIGINT drains and exits 0 (or 1 if draining takes longer than 10 s).
 */

import type { Tokens } from "../../handler/auth.ts";
import {
  type Config,
  configSecrets,
  formatConfigProblem,
  hasConfigErrors,
  loadConfig,
} from "../../internal/config/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { formatProblem } from "../../internal/errors/index.ts";
import { createLogger, type Logger } from "../../internal/log/index.ts";
import { logEvents } from "./eventlog.ts";
import { checkExposure, HttpConfigError, type HttpServer, serveHttp, tokensOf } from "./http.ts";
import { Exit, type Io, UsageError } from "./io.ts";
import { type Service, StartupError, startService } from "./service.ts";
import { version } from "./version.ts";

export const runUsage = `Usage: taskmaster run [--config FILE] [--KEY VALUE ...]
  --config FILE     the service config (TOML); default: $TASKMASTER_CONFIG, else built-in defaults
  --KEY VALUE       any config key, e.g. --nats.url nats://host:4222 --workflow dir --log.level debug`;

/** The longest a shutdown may take before the process gives up and exits 1. */
export const drainLimitMs = 10_000;

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
  const log = createLogger({
    level: config.log.level,
    format: config.log.format,
    secrets: configSecrets(config),
  });
  const service = await start(config, io, log);
  if (!service) return Exit.failed;
  return await untilSignal(service, log);
}

export async function start(config: Config, io: Io, log: Logger): Promise<Service | null> {
  try {
    log.info({ nats: config.nats.url, workflow: config.workflow }, "taskmaster starting");
    // Logged from the first event: what startup does to the cache (a restore, a degraded mount) is worth seeing.
    const events = new EngineEvents();
    const stopLogging = logEvents(events, log);
    const service = await startService(config, io.cwd, events).catch((err: unknown) => {
      stopLogging();
      throw err;
    });
    const s = service.state();
    const http = await startHttp(config, io, log, service);
    log.info(
      { workflows: s.workflows, phases: s.phases, cache: s.cache.mode, http: http?.url },
      "taskmaster running",
    );
    return {
      ...service,
      stop: async () => {
        await http?.close();
        await service.stop();
      },
    };
  } catch (err) {
    if (err instanceof HttpConfigError) {
      log.error(err.message);
      return null;
    }
    if (!(err instanceof StartupError)) throw err;
    for (const p of err.problems) io.err(formatProblem(p));
    log.error(err.message);
    return null;
  }
}

/**
 * The API beside the service. A configuration that would expose it without tokens refuses to start (the service is
 * stopped again); a port that cannot be bound is logged and the service runs on without it.
 */
async function startHttp(
  config: Config,
  io: Io,
  log: Logger,
  service: Service,
): Promise<HttpServer | undefined> {
  let tokens: Tokens;
  try {
    tokens = tokensOf(config, io.cwd);
    checkExposure(config.http.listen, tokens);
  } catch (err) {
    await service.stop();
    throw err;
  }
  try {
    return await serveHttp(config, service, tokens, version, io.cwd);
  } catch (err) {
    log.error(
      { listen: config.http.listen, err },
      `the API cannot listen on ${config.http.listen}: ${(err as Error).message}; scheduling goes on without it`,
    );
    return undefined;
  }
}

/** Waits for SIGTERM or SIGINT, then drains the service. */
export function untilSignal(service: Service, log: Logger): Promise<number> {
  return new Promise((done) => {
    const stop = (signal: string) => {
      log.info({ signal }, "draining: intake stopped, finishing work in flight");
      const limit = setTimeout(() => {
        log.error(`could not drain within ${drainLimitMs / 1000}s; exiting`);
        done(Exit.failed);
      }, drainLimitMs);
      service.stop().then(
        () => {
          clearTimeout(limit);
          log.info("taskmaster stopped");
          done(Exit.ok);
        },
        (err: unknown) => {
          clearTimeout(limit);
          log.error({ err }, "stopping failed");
          done(Exit.failed);
        },
      );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
