/**
 * The taskmaster CLI and composition root: it reads the command line and hands each command what it needs.
 */
import { devCommand } from "./dev.ts";
import { Exit, type Io, UsageError } from "./io.ts";
import { planCommand } from "./plan.ts";
import { runCommand } from "./run.ts";
import { validateCommand } from "./validate.ts";
import { workerCommand } from "./worker.ts";

const help = `taskmaster: runs data pipelines over NATS (a drop-in replacement for flowlord)

Usage: taskmaster <command> [options]

Commands:
  run                the service: cron, done → children, retries, workflow reloads, and the history
                       --role ROLE            all (default): the engine, and the history as a child process;
                                              engine: scheduling alone; history: the history, dashboard and API
                       --config FILE          the service config (TOML; default $TASKMASTER_CONFIG)
                       --KEY VALUE            any config key, e.g. --nats.url nats://host:4222 --log.level debug
  dev                what \`make run\` runs: the service on config/taskmaster.toml, a local nats-server when none
                     answers, and a demo worker for every topic
  worker --topic TOPIC [--concurrency N] [--timeout 10m] [--queue NAME] -- COMMAND [ARGS...]
                     a generic worker: runs COMMAND per task ({info}, {id}, {type}, {job}, {meta:KEY} in ARGS;
                     the task JSON on stdin); exit 0 is complete, else error with the tail of stderr
  validate PATH      check a workflow file or directory; prints FILE: PHASE: message for each problem
                     (exit 0 valid, warnings allowed; 1 errors; 2 usage)
                       --config FILE          the service config, for meta-files in s3:// and gs:// buckets
                                              (default $TASKMASTER_CONFIG)
  plan               print the tasks a trigger would emit, one JSON object per line, without sending anything
                       --workflow PATH        workflow file or directory (required)
                       --cron TASK[:JOB] --at TIME
                                              a cron slot of a phase firing at TIME
                       --done JSON            a finished task arriving on the done topic
                       --file PATH            a file arriving at PATH
                       --backload JSON        a backload request, as POST /backload takes it
                       --in WORKFLOW          the workflow to use when several have the phase
                       --now TIME             the time tasks are created at (default: now)
                       --failed-topic TOPIC   where exhausted retries go (default retry-failed; - for none)
                       --config FILE          the service config, for meta-files in s3:// and gs:// buckets
                                              (default $TASKMASTER_CONFIG)
                     JSON may be given inline, as @FILE, or as - for standard input.
                     TIME is RFC 3339, YYYY-MM-DD or YYYY-MM-DDTHH (UTC).
  help               this text

Run \`taskmaster <command> --help\` for a command's options.`;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "-h":
      case "--help":
        io.out(help);
        return command === undefined ? Exit.usage : Exit.ok;
      case "validate":
        return await validateCommand(rest, io);
      case "plan":
        return await planCommand(rest, io);
      case "run":
        return await runCommand(rest, io);
      case "dev":
        return await devCommand(rest, io);
      case "worker":
        return await workerCommand(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`taskmaster: ${err.message}`);
      io.err("Run `taskmaster --help` for usage.");
      return Exit.usage;
    }
    throw err;
  }
}

export { help };
