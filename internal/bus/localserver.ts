/**
 * A local nats-server of our own: started on a free port with JetStream and its own store, checked to be the server
 * we started, and always stopped when this process exits. `taskmaster dev` starts one when no NATS answers, and
 * every test file that needs NATS starts its own.
 *
 * Another nats-server may already listen on 4222, so the port is never fixed: the server chooses one (`-p -1`) and
 * writes it to a ports file, and a restart asks for the port the previous process had.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, rmSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { basename, delimiter, join } from "node:path";
import { connect } from "@nats-io/transport-node";

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly storeDir: string;
  /** SIGTERM, then waits for the process to exit; removes the temp dirs this launcher made. */
  stop(): Promise<void>;
  /** SIGKILL (a crash), then waits for the exit; keeps the dirs so `restart` finds the store. */
  kill(): Promise<void>;
  /** Ends this process if it still runs, then starts a new one on the same port and store dir. */
  restart(): Promise<NatsServer>;
}

export interface StartNatsOptions {
  /** JetStream store; a new temp dir when left out. A given dir is never removed. */
  readonly storeDir?: string;
  /** Only to come back on a known port (a restart); by default the server picks a free one. */
  readonly port?: number;
  /** A server config file's text (accounts, users and their permissions ...); the flags here still apply. */
  readonly config?: string;
  /** Clients must log in with this user and password (tests of authorization). */
  readonly auth?: { readonly user: string; readonly pass: string };
  /**
   * A user of `config` the launcher logs in as to check that the server it started answers: a config with users of
   * its own admits no client without credentials (and cannot be given `auth` as well).
   */
  readonly login?: { readonly user: string; readonly pass: string };
  /**
   * Runs the server in a process group of its own. Ctrl-C in a terminal signals the whole foreground group; a server
   * outside it keeps running until its starter stops it, after what uses it has drained (`taskmaster dev`).
   */
  readonly ownProcessGroup?: boolean;
}

const notFound = "nats-server not found (install it with: apt-get install -y nats-server, or run make test)";
const startDeadlineMs = 10_000;
const stopDeadlineMs = 10_000;

/** Servers still running and temp dirs not yet removed, for the exit hook. */
const running = new Map<number, ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

/** Starts a nats-server with JetStream on 127.0.0.1 and resolves once a client has reached it. */
export async function startNats(options: StartNatsOptions = {}): Promise<NatsServer> {
  const bin = findNatsServer();
  installExitHook();
  const tempDir = await mkdtemp(join(tmpdir(), "taskmaster-nats-"));
  tempDirs.add(tempDir);
  const storeDir = options.storeDir ?? join(tempDir, "store");
  let configFile: string | undefined;
  if (options.config !== undefined) {
    configFile = join(tempDir, "server.conf");
    await writeFile(configFile, options.config);
  }
  return launch({
    bin,
    tempDir,
    storeDir,
    port: options.port ?? -1,
    configFile,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.login ? { login: options.login } : {}),
    ownProcessGroup: options.ownProcessGroup === true,
  });
}

interface LaunchSpec {
  readonly bin: string;
  /** Holds the ports files and, unless one was given, the store; removed by `stop`. */
  readonly tempDir: string;
  readonly storeDir: string;
  readonly port: number;
  /** Passed with `-c`, when there is one. */
  readonly configFile?: string | undefined;
  readonly auth?: StartNatsOptions["auth"];
  readonly login?: StartNatsOptions["login"];
  readonly ownProcessGroup: boolean;
}

async function launch(spec: LaunchSpec): Promise<NatsServer> {
  const args = [
    "-a",
    "127.0.0.1",
    "-p",
    String(spec.port),
    "--ports_file_dir",
    spec.tempDir,
    ...(spec.configFile ? ["-c", spec.configFile] : []),
  ];
  const auth = spec.auth ? ["--user", spec.auth.user, "--pass", spec.auth.pass] : [];
  const child = spawn(spec.bin, [...args, ...auth, "-js", "-sd", spec.storeDir], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: spec.ownProcessGroup,
  });
  const exited = new Promise<void>((resolve) =>
    child.once("close", () => {
      if (child.pid !== undefined) running.delete(child.pid);
      resolve();
    }),
  );
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  // The log must be read all along, or the server blocks once the pipe is full.
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-16_384);
  });
  // A test that forgets `stop` must not keep the test process alive; the exit hook then ends the server.
  child.unref();
  if (child.stderr instanceof Socket) child.stderr.unref();
  const pid = child.pid;
  if (pid === undefined) {
    const err = await spawnError;
    throw new Error((err as NodeJS.ErrnoException).code === "ENOENT" ? notFound : err.message, {
      cause: err,
    });
  }
  running.set(pid, child);
  try {
    const url = await readPortsFile(
      join(spec.tempDir, `${basename(spec.bin)}_${pid}.ports`),
      child,
      () => log,
    );
    const port = Number(new URL(url).port);
    await checkServer(url, port, spec.auth ?? spec.login, () => serverIdFromLog(log));
    return handle({ ...spec, url, port, pid, exited });
  } catch (err) {
    await signalAndWait(pid, "SIGKILL", exited);
    throw err;
  }
}

/** Waits for the file the server writes once it listens; fails early with its log when it exits instead. */
async function readPortsFile(file: string, child: ChildProcess, log: () => string): Promise<string> {
  const deadline = Date.now() + startDeadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nats-server exited during startup (${child.exitCode ?? child.signalCode}):\n${log()}`);
    }
    try {
      const ports = JSON.parse(await readFile(file, "utf8")) as { nats?: unknown };
      const url = Array.isArray(ports.nats) ? ports.nats[0] : undefined;
      if (typeof url === "string") return url;
    } catch {
      // Not written yet, or written halfway: read again.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`nats-server wrote no ports file within ${startDeadlineMs} ms:\n${log()}`);
}

/** Connects once and checks the answer comes from our process: the port, and the id it logged at startup. */
async function checkServer(
  url: string,
  port: number,
  auth: LaunchSpec["auth"],
  loggedId: () => string | undefined,
): Promise<void> {
  const nc = await connect({ servers: url, reconnect: false, timeout: 2_000, ...auth });
  try {
    const info = nc.info;
    if (info?.port !== port) throw new Error(`reached a server on port ${info?.port}, wanted ${port}`);
    const id = loggedId();
    if (id !== undefined && info.server_id !== id) {
      throw new Error(`reached server ${info.server_id} on ${url}, but the one started logged ${id}`);
    }
  } finally {
    await nc.close();
  }
}

function serverIdFromLog(log: string): string | undefined {
  return /\[INF\]\s+ID:\s+(\S+)/.exec(log)?.[1];
}

interface Running extends LaunchSpec {
  readonly url: string;
  readonly pid: number;
  readonly exited: Promise<void>;
}

function handle(r: Running): NatsServer {
  // After a restart the dirs belong to the new process; this handle's stop must not remove them.
  let handedOver = false;
  const end = (signal: NodeJS.Signals) => signalAndWait(r.pid, signal, r.exited);
  return {
    url: r.url,
    port: r.port,
    pid: r.pid,
    storeDir: r.storeDir,
    async stop() {
      await end("SIGTERM");
      if (handedOver) return;
      tempDirs.delete(r.tempDir);
      await rm(r.tempDir, { recursive: true, force: true });
    },
    kill: () => end("SIGKILL"),
    async restart() {
      await end("SIGTERM");
      handedOver = true;
      const { bin, tempDir, storeDir, port, configFile, auth, login, ownProcessGroup } = r;
      return launch({
        bin,
        tempDir,
        storeDir,
        port,
        configFile,
        ownProcessGroup,
        ...(auth ? { auth } : {}),
        ...(login ? { login } : {}),
      });
    },
  };
}

/** Signals our process by its PID and waits for it to exit; SIGKILL if SIGTERM is not enough in time. */
async function signalAndWait(pid: number, signal: NodeJS.Signals, exited: Promise<void>): Promise<void> {
  if (!running.has(pid)) return exited;
  send(pid, signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), stopDeadlineMs);
  });
  const tooLate = await Promise.race([exited.then(() => false), late]);
  clearTimeout(timer);
  if (tooLate) {
    send(pid, "SIGKILL");
    await exited;
  }
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** On any exit of the test process, a failed test included, no server we started keeps running. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pid of running.keys()) send(pid, "SIGKILL");
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  });
}

function findNatsServer(): string {
  const dirs = [
    ...(process.env.PATH ?? "").split(delimiter),
    "/usr/sbin",
    "/usr/local/sbin",
    "/usr/local/bin",
  ];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, "nats-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  throw new Error(notFound);
}
