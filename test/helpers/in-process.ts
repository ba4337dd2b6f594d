/**
 * The unit project's setup: its tests run in-process, so a child process, a worker thread, a listening socket or a
 * connection throws, naming the call and where such a test belongs. A test that needs nats-server, s3rver, the
 * Slack sink, the cache's writer thread or another process lives under test/<module>/, in the integration project;
 * the unit project runs its files in shared threads and stays fast only while they are pure.
 *
 * The calls are replaced on the builtin modules themselves (and their ESM exports synced), so the code under test
 * and the libraries it uses meet the same refusal. Each worker thread has builtin modules of its own, and the
 * integration project's processes never run this file.
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
      `${what} in a unit test: tests beside the code run in-process (no child processes, worker threads, ` +
        "servers or connections); move this test under test/<module>/, where the integration project runs it",
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

/** Replaces the calls that leave the thread with ones that throw; once per thread, whatever the files that follow. */
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
  net.Socket.prototype.connect = function connect(): never {
    throw new NotInProcessError("socket.connect()");
  };
  syncBuiltinESMExports();
}

guardInProcess();
