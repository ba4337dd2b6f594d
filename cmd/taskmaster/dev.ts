/**
 * `taskmaster dev` (what `make run` runs): the service on `config/`, with NATS and workers taken care of. It uses
 * the configured NATS when one answers, else starts a nats-server of its own on a free port with a temp store; then
 * it starts a demo exec worker (config/demo/worker.sh) for every topic of the workflows, so tasks flow, some fail
 * and retry, and the console shows it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { connectNats, type NatsServer, startNats } from "../../internal/bus/index.ts";
import type { Config } from "../../internal/config/index.ts";
import { createLogger } from "../../internal/log/index.ts";
import { execHandler, startWorker, type Worker } from "../../internal/worker/index.ts";
import { Exit, type Io } from "./io.ts";
import { readConfig, start, untilSignal } from "./run.ts";
import { logWorkerEvent } from "./worker.ts";

export const devConfigFile = "config/taskmaster.toml";
const demoWorker = "config/demo/worker.sh";

export async function devCommand(args: readonly string[], io: Io): Promise<number> {
  const withFile =
    args.some((a) => a === "--config" || a.startsWith("--config=")) || io.env.TASKMASTER_CONFIG;
  const defaults = !withFile && existsSync(join(io.cwd, devConfigFile)) ? ["--config", devConfigFile] : [];
  const loaded = readConfig([...defaults, ...args], io);
  if (!loaded) return Exit.failed;
  const log = createLogger({ level: loaded.log.level, format: loaded.log.format });

  let server: NatsServer | undefined;
  let config: Config = loaded;
  if (await answers(loaded.nats.url)) {
    log.info({ nats: loaded.nats.url }, "using the configured NATS server");
  } else {
    server = await startNats();
    config = { ...loaded, nats: { ...loaded.nats, url: server.url } };
    log.info(
      { nats: server.url, store: server.storeDir },
      `no NATS at ${loaded.nats.url}; started a local nats-server`,
    );
  }

  const service = await start(config, io, log);
  if (!service) {
    await server?.stop();
    return Exit.failed;
  }
  const nc = await connectNats({ ...config.nats, name: "taskmaster-demo-workers" });
  const workers = demoWorkers(
    nc,
    config,
    service.engine.snapshot()?.phases.map((p) => p.topic) ?? [],
    io,
    log,
  );
  log.info(
    { topics: workers.map((w) => w.topic) },
    `demo workers running ${demoWorker}; press Ctrl-C to stop`,
  );

  const code = await untilSignal(
    {
      ...service,
      stop: async () => {
        await Promise.all(workers.map((w) => w.worker.stop()));
        await nc.drain();
        await service.stop();
        await server?.stop();
      },
    },
    log,
  );
  return code;
}

/** True when a NATS server answers at `url` within a second. */
async function answers(url: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: url.split(","), reconnect: false, timeout: 1000 });
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
  log: ReturnType<typeof createLogger>,
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
