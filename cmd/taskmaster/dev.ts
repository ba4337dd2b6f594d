/**
 * `taskmaster dev` (what `make run` runs): the engine and the history (role all) on `config/`, with NATS and workers taken care of. It uses
 * the configured NATS when one answers, else starts a nats-server of its own on a free port with a temp store; then
 * it starts a demo exec worker (config/demo/worker.sh) for every topic of the workflows, so tasks flow, some fail
 * and retry, and the console shows it. When the demo file workflow is loaded it also drops a CSV into its watched
 * folder every 30 s.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { connectionOptions, connectNats, type NatsServer, startNats } from "../../internal/bus/index.ts";
import { type Config, hideUrlCredentials } from "../../internal/config/index.ts";
import type { Logger } from "../../internal/log/index.ts";
import { execHandler, startWorker, type Worker } from "../../internal/worker/index.ts";
import { start } from "./engineprocess.ts";
import { Exit, type Io } from "./io.ts";
import { type Running, runUntilSignal } from "./lifecycle.ts";
import { commandLogger, historyArgs, readConfig } from "./run.ts";
import { logWorkerEvent } from "./worker.ts";

export const devConfigFile = "config/taskmaster.toml";
const demoWorker = "config/demo/worker.sh";

export async function devCommand(args: readonly string[], io: Io): Promise<number> {
  const withFile =
    args.some((a) => a === "--config" || a.startsWith("--config=")) || io.env.TASKMASTER_CONFIG;
  const defaults = !withFile && existsSync(join(io.cwd, devConfigFile)) ? ["--config", devConfigFile] : [];
  const loaded = readConfig([...defaults, ...args], io);
  if (!loaded) return Exit.failed;
  const log = commandLogger(loaded, io);
  return runUntilSignal((stopping) => startDev(loaded, [...defaults, ...args], io, log, stopping), log);
}

/**
 * NATS (the configured one, or a local one), the engine with the history process beside it (as `run` does), and the
 * demo workers; stopped in the reverse order. The history process gets the same arguments, the local NATS's address
 * and this run's admin token (in its environment, out of `ps`).
 */
async function startDev(
  loaded: Config,
  args: readonly string[],
  io: Io,
  log: Logger,
  stopping: AbortSignal,
): Promise<Running | null> {
  const env = { ...io.env };
  const historyFlags = [...args];
  let server: NatsServer | undefined;
  let config: Config = loaded;
  if (await answers(loaded.nats)) {
    log.info({ nats: hideUrlCredentials(loaded.nats.url) }, "using the configured NATS server");
  } else {
    // In a process group of its own, so that Ctrl-C reaches taskmaster alone, which drains and then stops it.
    server = await startNats({ ownProcessGroup: true });
    config = { ...loaded, nats: { ...loaded.nats, url: server.url } };
    historyFlags.push("--nats.url", server.url);
    log.info(
      { nats: server.url, store: server.storeDir },
      `no NATS at ${hideUrlCredentials(loaded.nats.url)}; started a local nats-server`,
    );
  }

  // Actions on the API need an admin token: a fresh one for this run unless one is configured.
  if (!config.http.adminToken && !config.http.adminTokenFile) {
    const adminToken = randomBytes(18).toString("base64url");
    config = { ...config, http: { ...config.http, adminToken } };
    env.TASKMASTER_HTTP_ADMIN_TOKEN = adminToken;
    // In the message, not a field: fields named like a token are hidden by the logger.
    log.info(
      `actions on the API need an admin token; for this run it is ${adminToken} (Authorization: Bearer ...)`,
    );
  }
  // The demo file workflow's watched folder, made before the service starts watching it.
  mkdirSync(demoLanding, { recursive: true });
  const started = await start(config, io, log, stopping, {
    history: { args: historyArgs(historyFlags), env },
  });
  if (!started) {
    await server?.stop();
    return null;
  }
  const stopService = async () => {
    try {
      await started.stop();
    } finally {
      await server?.stop();
    }
  };
  const engine = started.engine;
  // A signal came while NATS was awaited: there is nothing more to start.
  if (!engine) return { stop: stopService };
  const nc = await connectNats({ ...config.nats, name: "taskmaster-demo-workers" });
  const topics = engine.engine.snapshot()?.phases.map((p) => p.topic) ?? [];
  const workers = demoWorkers(nc, config, topics, io, log);
  log.info(
    { topics: workers.map((w) => w.topic) },
    `demo workers running ${demoWorker}; press Ctrl-C to stop`,
  );
  const usesLanding = engine.engine.snapshot()?.phases.some((p) => p.rule.files?.startsWith(demoLanding));
  const dropping = usesLanding ? dropDemoFiles(log) : undefined;

  return {
    stop: async () => {
      clearInterval(dropping);
      await Promise.all(workers.map((w) => w.worker.stop()));
      // The workers have stopped: nothing is left to acknowledge on their connection, so a drain that fails
      // (NATS away) only needs the connection closed.
      await nc.drain().catch(() => nc.close());
      await stopService();
    },
  };
}

/** Where config/workflows/files.toml watches for CSV files. */
const demoLanding = "/tmp/taskmaster-demo/in/";

/** A demo CSV in today's folder now and every 30 s, so a file trigger shows in the console. */
function dropDemoFiles(log: Logger): NodeJS.Timeout {
  const drop = () => {
    const now = new Date().toISOString();
    const dir = join(demoLanding, now.slice(0, 4), now.slice(5, 7), now.slice(8, 10));
    const path = join(dir, `sales-${now.slice(11, 19).replaceAll(":", "")}.csv`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, "store,amount\nnorth,120\nsouth,80\n");
      log.info({ path }, "demo file dropped");
    } catch (err) {
      log.warn({ path, err }, "could not drop a demo file");
    }
  };
  drop();
  const timer = setInterval(drop, 30_000);
  timer.unref();
  return timer;
}

/** True when the configured NATS answers (with the configured credentials) within a second. */
async function answers(settings: Config["nats"]): Promise<boolean> {
  try {
    const nc = await connect({ ...connectionOptions(settings), reconnect: false, timeout: 1000 });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

function demoWorkers(
  nc: NatsConnection,
  config: Config,
  topics: readonly string[],
  io: Io,
  log: Logger,
): { topic: string; worker: Worker }[] {
  const script = join(io.cwd, demoWorker);
  return [...new Set(topics)].sort().map((topic) => ({
    topic,
    worker: startWorker(nc, {
      topic: `${config.nats.subjectPrefix}${topic}`,
      concurrency: 4,
      doneSubject: config.doneTopic,
      handler: execHandler({ command: "sh", args: [script, "{type}", "{job}", "{info}"], timeoutMs: 60_000 }),
      onEvent: (e) => logWorkerEvent(log.child({ worker: topic }), e),
    }),
  }));
}
