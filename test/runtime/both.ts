/**
 * Both roles in this process, as `taskmaster run` composes them in two: the engine (scheduling, its events recorded
 * for the test) and the history (the follower, the API on 127.0.0.1:0, alerts, actions), on one config and one
 * clock. Stopped in reverse order. For the tests that assert what a user sees through the API of a running pair.
 */
import { type EngineRole, type StartOptions, startEngine } from "../../cmd/taskmaster/engine.ts";
import { type HistoryRole, startHistoryRole } from "../../cmd/taskmaster/history.ts";
import type { Io } from "../../cmd/taskmaster/io.ts";
import type { Config } from "../../internal/config/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { createLogger } from "../../internal/log/index.ts";
import { EventLog } from "./harness.ts";

export interface BothRoles {
  readonly engine: EngineRole;
  readonly history: HistoryRole;
  /** The engine's events. */
  readonly log: EventLog;
  stop(): Promise<void>;
}

/** A quiet `Io` for a role started in a test, in `cwd`. */
export function quietIo(cwd: string): Io {
  return { out: () => {}, err: () => {}, cwd, env: {}, readStdin: async () => "" };
}

/** Starts the history (null means it could not: the test fails) on 127.0.0.1:0. */
export async function startHistory(
  config: Config,
  cwd: string,
  options: StartOptions = {},
): Promise<HistoryRole> {
  const log = createLogger({ level: "silent", format: "json" });
  const history = await startHistoryRole(config, quietIo(cwd), log, { ...options, listen: "127.0.0.1:0" });
  if (!history) throw new Error("the history role did not start");
  return history;
}

export async function startBoth(config: Config, cwd: string, options: StartOptions = {}): Promise<BothRoles> {
  const events = new EngineEvents();
  const log = new EventLog(events);
  const engine = await startEngine(config, cwd, events, options);
  let history: HistoryRole;
  try {
    history = await startHistory(config, cwd, options);
  } catch (err) {
    await engine.stop();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    engine,
    history,
    log,
    stop() {
      stopping ??= (async () => {
        await history.stop();
        await engine.stop();
      })();
      return stopping;
    },
  };
}
