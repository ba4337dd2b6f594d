/**
 * The history process beside the engine (`taskmaster run`, role all): the same command run again as
 * `run --role history` on a loopback port it picks, at a lower priority (nice 10) so that the engine's work comes
 * first on a busy machine. It says which port it listens on over the IPC channel. When it exits unexpectedly (a crash,
 * SIGKILL, a disk that cannot be written) it is started again after a doubling wait (1 s up to 30 s; back to 1 s once
 * it has run for 30 s), each restart logged: the engine schedules on whatever happens to it. On stop it is sent
 * SIGTERM and waited for, SIGKILL past the limit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { getPriority, setPriority } from "node:os";
import { doublingDelayMs } from "../../internal/backoff/index.ts";
import type { Logger } from "../../internal/log/index.ts";
import type { HistoryTarget } from "./proxy.ts";

/** The message the history process sends its parent once it listens. */
export interface ListeningMessage {
  readonly type: "listening";
  readonly port: number;
}

export interface SupervisorOptions {
  /** The command line after node: the script and its arguments. */
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  /** The first wait before a restart, doubling up to `maxDelayMs` (default 1 s, 30 s). */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  /** How long `stop` waits after SIGTERM before SIGKILL (default 5 s). */
  readonly stopTimeoutMs?: number;
}

export interface HistoryProcess {
  /** Its port once it listens, else why it is not up. */
  target(): HistoryTarget;
  /** The running process's id, undefined between two runs. */
  pid(): number | undefined;
  /** Stops it (SIGTERM, then SIGKILL past the limit) and restarts it no more; idempotent. */
  stop(): Promise<void>;
}

/** The priority the history runs at (POSIX nice: higher is lower). */
export const historyNice = 10;

export function superviseHistory(options: SupervisorOptions): HistoryProcess {
  const { log } = options;
  const firstDelayMs = options.firstDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  let child: ChildProcess | undefined;
  let port: number | undefined;
  let listeningSince = 0;
  let failures = 0;
  let lastExit = "";
  let restart: NodeJS.Timeout | undefined;
  let stopping = false;
  let stopped: Promise<void> | undefined;

  const launch = () => {
    restart = undefined;
    // A process group of its own: a Ctrl-C at the terminal reaches the engine only, which stops the history with
    // one SIGTERM after its intake (the child stops by itself if the engine is gone: its IPC channel closes).
    const started = spawn(process.execPath, [...options.args], {
      env: options.env,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      detached: true,
    });
    child = started;
    port = undefined;
    if (started.pid !== undefined) {
      let nice: number | undefined;
      try {
        setPriority(started.pid, historyNice);
        nice = getPriority(started.pid);
      } catch (err) {
        log.warn({ err }, `the history process runs at normal priority: ${(err as Error).message}`);
      }
      log.info({ pid: started.pid, nice }, "history process started");
    }
    started.on("message", (message: Partial<ListeningMessage>) => {
      if (message?.type !== "listening" || typeof message.port !== "number") return;
      port = message.port;
      listeningSince = Date.now();
      log.info({ pid: started.pid, port }, "history process listening");
    });
    started.once("error", (err) => exited(started, `could not be started: ${err.message}`));
    started.once("exit", (code, signal) =>
      exited(started, signal ? `killed by ${signal}` : `exited with code ${code}`),
    );
  };

  const exited = (which: ChildProcess, reason: string) => {
    if (which !== child) return;
    child = undefined;
    port = undefined;
    lastExit = reason;
    if (stopping) return;
    if (listeningSince > 0 && Date.now() - listeningSince >= maxDelayMs) failures = 0;
    listeningSince = 0;
    failures++;
    const delayMs = doublingDelayMs(failures, firstDelayMs, maxDelayMs);
    log.warn(
      { reason, attempt: failures, delayMs },
      `the history process ${reason}; restarting it in ${delayMs / 1000}s (attempt ${failures}); scheduling goes on`,
    );
    restart = setTimeout(launch, delayMs);
  };

  launch();
  return {
    target() {
      if (port !== undefined) return { port };
      if (failures === 0) return { down: "the history process is starting" };
      return { down: `the history process is restarting (attempt ${failures}): ${lastExit}` };
    },
    pid: () => child?.pid,
    stop() {
      stopped ??= stopChild();
      return stopped;
    },
  };

  async function stopChild(): Promise<void> {
    stopping = true;
    clearTimeout(restart);
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGTERM");
    const limit = options.stopTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), limit);
    });
    const tooLate = await Promise.race([gone.then(() => false), late]);
    clearTimeout(timer);
    if (tooLate) {
      log.error(`the history process did not stop within ${limit / 1000}s of SIGTERM; killing it`);
      running.kill("SIGKILL");
      await gone;
    }
  }
}
