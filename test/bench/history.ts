/**
 * The history catching up: `node --import tsx test/bench/history.ts [TASKS]` (100 000 by default). The streams are
 * filled first (TASKS tasks with their headers and as many done messages, published pipelined), then a child process
 * follows them from nothing into a new SQLite file (`historyfollow.ts`): the messages it projected a second, from
 * its start until `caughtUp()`, the CPU it took a message (the machine is shared: its
 * own CPU time is steadier than the clock), and its peak RSS (`maxRSS`, as VmHWM). Run alone, as the
 * file bench is: the machine is shared, and each figure is printed with the load average it was measured under.
 *
 * Targets: at least 50 000 messages a second, RSS at most 150 MiB. BENCH_PROFILE=DIR writes a CPU profile of each
 * follower process into DIR (`node --cpu-prof`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { build } from "esbuild";
import { connectNats, Publisher, startNats } from "../../internal/bus/index.ts";
import { historyStreams, pipelined, publishDone, publishTask } from "../helpers/history.ts";

const n = Number(process.argv[2] ?? 100_000);
const profileDir = process.env.BENCH_PROFILE;
const repo = fileURLToPath(new URL("../..", import.meta.url));
// The follower runs bundled, as the command does: under tsx its process would carry the loader's 40 MiB.
const follower = join(repo, "dist", `bench-history-${process.pid}.mjs`);
await build({
  absWorkingDir: repo,
  tsconfig: "tsconfig.json",
  entryPoints: ["test/bench/historyfollow.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  outfile: follower,
  logLevel: "warning",
});
const server = await startNats();
const nc = await connectNats({ url: server.url, name: "bench-history-fill" });
const publisher = new Publisher(nc);
const h = await historyStreams(await jetstreamManager(nc), "BENCH");
const fillStart = performance.now();
await pipelined(n, (i) => Promise.all([publishTask(publisher, h, i), publishDone(publisher, h, i)]), 1000);
const fillSeconds = (performance.now() - fillStart) / 1000;
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

interface Followed {
  readonly messages: number;
  readonly rows: number;
  readonly written: number;
  readonly ms: number;
  readonly cpuMs: number;
  /** Its peak RSS, MiB. */
  readonly peak: number;
}

/** Runs the follower child on a new file; resolves with what it printed and its memory. */
function followRun(): Promise<Followed> {
  const path = join(mkdtempSync(join(tmpdir(), "taskmaster-bench-history-")), "history.db");
  const { tasks, done, events, audit, failed } = h.streams;
  const profile = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
  const args = [...profile, follower, server.url, path, tasks, done, events, audit, failed];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: repo,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (code !== 0 || !line) reject(new Error(`the follower exited ${code}: ${out.slice(-400)}`));
      else resolve(JSON.parse(line) as Followed);
    });
  });
}

const f = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(`history bench: ${f(n)} tasks and ${f(n)} dones stored in ${f(fillSeconds, 1)} s`);
for (let round = 0; round < 2; round++) {
  const before = load();
  const run = await followRun();
  const rate = run.messages / (run.ms / 1000);
  console.log(
    `  run ${round + 1}: ${f(run.messages)} messages (${f(run.rows)} task rows) in ${f(run.ms / 1000, 2)} s = ${f(rate)} messages/s   ratio to the target of 50 000: ${f(rate / 50_000, 2)}
         its CPU ${f((run.cpuMs * 1000) / run.messages, 1)} µs a message (${f(run.messages / (run.cpuMs / 1000))} messages per CPU second)
         RSS peak ${f(run.peak, 1)} MiB   ratio to the limit of 150 MiB: ${f(run.peak / 150, 2)}   load before: ${before}`,
  );
}
rmSync(follower, { force: true });
publisher.close();
await nc.close();
await server.stop();
