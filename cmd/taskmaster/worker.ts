/**
 * `taskmaster worker --topic T -- CMD ARGS...`: a generic worker that runs a command per task. Arguments may hold
 * `{info}`, `{id}`, `{type}`, `{job}` and `{meta:KEY}`; the task JSON is on the command's standard input; exit 0 is
 * complete, anything else an error with the tail of stderr; `::meta k=v` lines on stdout add meta for children.
 */
import { parseArgs } from "node:util";
import { connectNats } from "../../internal/bus/index.ts";
import type { Logger } from "../../internal/log/index.ts";
import { parseDuration } from "../../internal/rule/index.ts";
import { taskName } from "../../internal/task/index.ts";
import { execHandler, startWorker, type WorkerEvent } from "../../internal/worker/index.ts";
import { Exit, type Io, UsageError } from "./io.ts";
import { commandLogger, readConfig } from "./run.ts";

export const workerUsage = `Usage: taskmaster worker --topic TOPIC [--concurrency N] [--timeout 10m] [--queue NAME]
                         [--config FILE] [--KEY VALUE ...] -- COMMAND [ARGS...]`;

const options = {
  topic: { type: "string" },
  concurrency: { type: "string", default: "1" },
  timeout: { type: "string", default: "10m" },
  queue: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function workerCommand(args: readonly string[], io: Io): Promise<number> {
  const dash = args.indexOf("--");
  const own = dash < 0 ? args : args.slice(0, dash);
  const command = dash < 0 ? [] : args.slice(dash + 1);
  const { values, rest } = split(own);
  if (values.help) {
    io.out(workerUsage);
    return Exit.ok;
  }
  const [program, ...programArgs] = command;
  if (!values.topic || !program)
    throw new UsageError(`worker needs --topic and a command after --\n${workerUsage}`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError("--concurrency must be a whole number ≥ 1");
  const timeoutMs = parseDuration(values.timeout);
  if (timeoutMs === null || timeoutMs <= 0)
    throw new UsageError(`--timeout: invalid duration "${values.timeout}"`);
  const config = readConfig(rest, io);
  if (!config) return Exit.failed;
  const log = commandLogger(config, io);
  const nc = await connectNats({ ...config.nats, name: `taskmaster-worker-${values.topic}` });
  const worker = startWorker(nc, {
    topic: `${config.nats.subjectPrefix}${values.topic}`,
    concurrency,
    doneSubject: config.doneTopic,
    handler: execHandler({ command: program, args: programArgs, timeoutMs, cwd: io.cwd }),
    onEvent: (e) => logWorkerEvent(log, e),
    ...(values.queue ? { queue: values.queue } : {}),
  });
  log.info({ topic: values.topic, concurrency, command: program }, "worker running");
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  log.info("worker stopping: finishing running tasks");
  await worker.stop();
  await nc.drain();
  return Exit.ok;
}

function split(args: readonly string[]) {
  // Our own options first; anything else (--config, --nats.url ...) is config for readConfig.
  const known = new Set(Object.keys(options).map((k) => `--${k}`));
  const mine: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const name = arg.split("=")[0] ?? "";
    const target = known.has(name) || arg === "-h" ? mine : rest;
    target.push(arg);
    const takesValue = !arg.includes("=") && name !== "--help" && arg !== "-h" && arg.startsWith("--");
    if (takesValue && i + 1 < args.length) target.push(args[++i] ?? "");
  }
  try {
    return { values: parseArgs({ args: mine, options, allowPositionals: false }).values, rest };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** One line per finished task: what a person watching a worker wants to see. */
export function logWorkerEvent(log: Logger, e: WorkerEvent): void {
  if (e.type === "finished") {
    const t = e.task;
    const ms = t.started && t.ended ? Date.parse(t.ended) - Date.parse(t.started) : 0;
    const line = {
      task: taskName(t),
      id: t.id,
      info: t.info,
      result: t.result,
      ms,
      ...(t.msg ? { msg: t.msg } : {}),
    };
    if (t.result === "complete") log.info(line, "task complete");
    else log.warn(line, `task ${t.result}`);
  } else if (e.type === "rejected") log.warn({ reason: e.reason }, "task rejected");
  else if (e.type === "publishFailed")
    log.warn({ attempt: e.attempt, err: e.error }, "done publish failed; retrying");
}
