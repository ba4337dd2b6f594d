/**
 * The unit project's setup: its tests run in-process, so starting a child process, a worker thread or a listening
 * socket throws, naming the call and where such a test belongs. A test that needs nats-server, s3rver, the Slack
 * sink, the cache's writer thread or another process lives under test/<module>/, in the integration project, which
 * runs in forks with room for the time such tests take; the unit project runs its files in shared threads and stays
 * fast only while they are pure.
 *
 * The calls are replaced on the builtin modules themselves (and their ESM exports synced), so code under test that
 * imports them, s3rver and the AWS SDK included, meets the same refusal. Threads and forks each have their own
 * builtin modules: the integration project never sees this.
 */
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";
import workerThreads from "node:worker_threads";

/** A unit test started something that runs outside its thread. */
export class NotInProcessError extends Error {
  override name = "NotInProcessError";
  constructor(what: string) {
    super(
      `${what} in a unit test: tests beside the code run in-process (no child processes, worker threads or ` +
        "servers); move this test under test/<module>/, where the integration project runs it",
    );
  }
}

const refusals = [
  "spawn",
  "spawnSync",
  "exec",
  "execSync",
  "execFile",
  "execFileSync",
  "fork",
] as const satisfies readonly (keyof typeof childProcess)[];

const installed = Symbol.for("taskmaster.inProcessGuard");

/** Replaces the calls that leave the thread with ones that throw; a second call (the next file) changes nothing. */
export function guardInProcess(): void {
  const marks = globalThis as { [installed]?: true };
  if (marks[installed]) return;
  marks[installed] = true;
  for (const name of refusals) {
    Object.defineProperty(childProcess, name, {
      value: () => {
        throw new NotInProcessError(`child_process.${name}`);
      },
    });
  }
  Object.defineProperty(workerThreads, "Worker", {
    value: class RefusedWorker {
      constructor() {
        throw new NotInProcessError("new Worker()");
      }
    },
  });
  net.Server.prototype.listen = function listen(): never {
    throw new NotInProcessError("server.listen()");
  };
  syncBuiltinESMExports();
}

guardInProcess();
