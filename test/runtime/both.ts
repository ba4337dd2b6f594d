/**
 * Both roles in this process, as `taskmaster run` composes them in two: the engine (scheduling, its events recorded
 * for the test) and the history (the follower, the API on 127.0.0.1:0, alerts, actions), on one config and one
 * clock. Stopped in reverse order. For the tests that assert what a user sees through the API of a running pair.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Writable } from "node:stream";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import BetterSqlite3 from "better-sqlite3";
import { type EngineRole, type StartOptions, startEngine } from "../../cmd/taskmaster/engine.ts";
import { type HistoryRole, startHistoryRole } from "../../cmd/taskmaster/history.ts";
import type { Io } from "../../cmd/taskmaster/io.ts";
import type { Config } from "../../internal/config/index.ts";
import { auditStream, EngineEvents } from "../../internal/engine/index.ts";
import { journalStream } from "../../internal/journal/index.ts";
import { createLogger } from "../../internal/log/index.ts";
import { waitFor } from "../helpers/wait.ts";
import { EventLog } from "./harness.ts";

/** The history role, with what it logged (JSON lines at info, as `taskmaster run` writes them). */
export interface TestHistory extends HistoryRole {
  /** The parsed lines whose message matches `msg`. */
  logged(msg: RegExp): Record<string, unknown>[];
}

export interface BothRoles {
  readonly engine: EngineRole;
  readonly history: TestHistory;
  /** The engine's events. */
  readonly log: EventLog;
  stop(): Promise<void>;
}

/** A quiet `Io` for a role started in a test, in `cwd`. */
export function quietIo(cwd: string): Io {
  return { out: () => {}, err: () => {}, cwd, env: {}, readStdin: async () => "" };
}

/** Starts the history on 127.0.0.1:0; throws when it could not start. */
export async function startHistory(
  config: Config,
  cwd: string,
  options: StartOptions = {},
): Promise<TestHistory> {
  const lines: string[] = [];
  const destination = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ level: "info", format: "json", destination });
  const history = await startHistoryRole(config, quietIo(cwd), log, { ...options, listen: "127.0.0.1:0" });
  if (!history) throw new Error(`the history role did not start: ${lines.join("")}`);
  return {
    url: history.url,
    stop: () => history.stop(),
    logged: (msg) =>
      lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((record) => msg.test(String(record.msg))),
  };
}

export async function startBoth(config: Config, cwd: string, options: StartOptions = {}): Promise<BothRoles> {
  const events = new EngineEvents();
  const log = new EventLog(events);
  const engine = await startEngine(config, cwd, events, options);
  let history: TestHistory;
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

/**
 * Until the history's file holds every message the four streams hold now: each stream's position stored in the file
 * (with the rows it covers, in the same transaction) has reached the stream's last sequence. Read read-only, as
 * another process would.
 */
export async function historyHolds(nc: NatsConnection, config: Config, cwd: string, timeoutMs = 15_000) {
  const jsm = await jetstreamManager(nc);
  const streams = [config.streams.tasks, config.streams.done, journalStream, auditStream];
  const last = new Map<string, number>();
  for (const name of streams) {
    const info = await jsm.streams.info(name).catch(() => null);
    last.set(name, info?.state.last_seq ?? 0);
  }
  const path = resolve(cwd, config.cache.path);
  await waitFor(
    () => {
      if (!existsSync(path)) return false;
      const db = new BetterSqlite3(path, { readonly: true });
      try {
        const rows = db.prepare("SELECT stream, seq FROM positions").all() as {
          stream: string;
          seq: number;
        }[];
        const held = new Map(rows.map((r) => [r.stream, r.seq]));
        return streams.every((name) => (held.get(name) ?? 0) >= (last.get(name) ?? 0));
      } finally {
        db.close();
      }
    },
    { timeoutMs, message: `the history holding every message of ${streams.join(", ")}` },
  );
}
