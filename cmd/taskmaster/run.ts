/**
 * `taskmaster run`: loads the config (file, TASKMASTER_* environment, flags) and runs a role until SIGTERM or SIGINT,
 * then drains and exits 0; 1 when the drain was not clean or took longer than 10 s (`lifecycle.ts`).
 * - `--role engine`: the engine (`engine.ts`, `engineprocess.ts`), with /healthz, /readyz and /metrics on
 *   `http.listen` (`front.ts`).
 * - `--role history`: the history (`history.ts`): the projection into SQLite, the dashboard and the API, alerts,
 *   backups.
 * - `--role all` (the default): the engine in this process and the history as a child process at low priority,
 *   restarted when it dies (`supervisor.ts`); `http.listen` answers the probes here and passes the rest on to it
 *   (`proxy.ts`).
 */

import {
  type Config,
  configSecrets,
  formatConfigProblem,
  hasConfigErrors,
  loadConfig,
} from "../../internal/config/index.ts";
import { createLogger, type Logger } from "../../internal/log/index.ts";
import { start } from "./engineprocess.ts";
import { startHistoryRole } from "./history.ts";
import { tokenFileSecrets } from "./http.ts";
import { Exit, type Io, UsageError } from "./io.ts";
import { type Running, runUntilSignal } from "./lifecycle.ts";

export const runUsage = `Usage: taskmaster run [--role all|engine|history] [--config FILE] [--KEY VALUE ...]
  --role ROLE       all (default): the engine, and the history as a child process at low priority, restarted
                    when it dies; http.listen serves the probes and passes the rest on to the history
                    engine: scheduling only: cron, done → children, retries, files; http.listen serves
                    /healthz, /readyz and /metrics
                    history: the history (SQLite), the dashboard and the API, alerts, backups
  --config FILE     the service config (TOML); default: $TASKMASTER_CONFIG, else built-in defaults
  --KEY VALUE       any config key, e.g. --nats.url nats://host:4222 --workflow dir --log.level debug`;

export const roles = ["all", "engine", "history"] as const;
export type Role = (typeof roles)[number];

/**
 * Splits `--role ROLE` and `--history-listen ADDRESS` (where the history listens instead of `http.listen`; what
 * role all gives its child) from the other arguments.
 */
export function roleArgs(args: readonly string[]): { role: Role; historyListen?: string; rest: string[] } {
  const rest: string[] = [];
  let role: Role = "all";
  let historyListen: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    if (name !== "--role" && name !== "--history-listen") {
      rest.push(arg);
      continue;
    }
    const value = inline ?? args[++i];
    if (!value) throw new UsageError(`${name} needs a value`);
    if (name === "--history-listen") historyListen = value;
    else if ((roles as readonly string[]).includes(value)) role = value as Role;
    else throw new UsageError(`--role is all, engine or history, not "${value}"`);
  }
  return historyListen === undefined ? { role, rest } : { role, historyListen, rest };
}

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
  const { role, historyListen, rest } = roleArgs(args);
  const config = readConfig(rest, io);
  if (!config) return Exit.failed;
  const log = commandLogger(config, io);
  if (role === "history")
    return runUntilSignal((stopping) => startHistory(config, io, log, stopping, historyListen), log);
  const history = role === "all" ? { args: historyArgs(rest), env: io.env } : undefined;
  return runUntilSignal((stopping) => start(config, io, log, stopping, { history }), log);
}

/**
 * The command line (after node) of the history process that role all starts: node's own options as this process got
 * them, this script, and the same config and flags.
 */
export function historyArgs(rest: readonly string[]): string[] {
  const script = process.argv[1] ?? "";
  return [
    ...process.execArgv,
    script,
    "run",
    "--role",
    "history",
    "--history-listen",
    "127.0.0.1:0",
    ...rest,
  ];
}

/**
 * The history role. Started by role all, it tells its parent the port it listens on, and stops when the parent is
 * gone (its IPC channel closed), so a killed engine leaves no history process behind.
 */
async function startHistory(
  config: Config,
  io: Io,
  log: Logger,
  stopping: AbortSignal,
  listen: string | undefined,
): Promise<Running | null> {
  const started = await startHistoryRole(config, io, log, {
    ...(listen !== undefined ? { listen } : {}),
    signal: stopping,
  });
  if (!started) return null;
  // Its port was sent to the parent as soon as it listened (startHistoryRole), before NATS was waited for.
  if (process.send) {
    process.once("disconnect", () => {
      log.warn("the engine process is gone; stopping");
      process.kill(process.pid, "SIGTERM");
    });
  }
  return started;
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
