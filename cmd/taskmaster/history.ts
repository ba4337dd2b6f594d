/**
 * The history role's composition root: its signature, which `run.ts` starts for `--role history`. The role itself
 * (the projection of the streams into SQLite, the dashboard and the API, the alerts, the backups) is not built here
 * yet: starting it fails, saying so.
 */
import type { Config } from "../../internal/config/index.ts";
import type { Logger } from "../../internal/log/index.ts";
import type { Io } from "./io.ts";

export interface HistoryOptions {
  /** Where the dashboard and the API listen (default `http.listen`). */
  readonly listen?: string;
  /** Aborting gives up waiting for NATS. */
  readonly signal?: AbortSignal;
}

export async function startHistoryRole(
  _config: Config,
  _io: Io,
  _log: Logger,
  _options: HistoryOptions,
): Promise<{ url: string; stop(): Promise<void> } | null> {
  throw new Error("the history role is not built yet");
}
