/**
 * The file step of `make bench` alone, several times: `node --import tsx test/bench/files.ts [ROUNDS]` (3 by default).
 * Each round starts the fs.watch relay and taskmaster afresh, each on a new folder, runs the relay's intake and then
 * taskmaster's (the order alternates from round to round), and prints both ratios with the load average, then the
 * median and the range of each ratio: the machine is shared, and one round alone says little.
 *
 * taskmaster runs as the engine alone (`--role engine`); BENCH_HISTORY=1 runs it in role all, with its history process
 * beside it, as in `make bench`. BENCH_PROFILE=DIR writes a CPU profile of each taskmaster (engine) process into DIR
 * (`node --cpu-prof`).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connectNats, ensureStream, startNats } from "../../internal/bus/index.ts";
import { parseTask } from "../../internal/task/index.ts";
import { workflowDir } from "../runtime/harness.ts";
import { type FileRun, fileRun } from "./fileintake.ts";
import { percentile, spawnLogged, spawnTaskmaster, stop } from "./processes.ts";

const rounds = Number(process.argv[2] ?? 3);
const withHistory = process.env.BENCH_HISTORY === "1";
const profileDir = process.env.BENCH_PROFILE;

const server = await startNats();
const nc = await connectNats({ url: server.url, name: "bench-files" });
const jsm = await jetstreamManager(nc);
const limits = { maxAgeMs: 3_600_000, maxBytes: -1, duplicateWindowMs: 120_000, replicas: 1 };
await ensureStream(jsm, { name: "RELAY_FILES", subjects: ["relay.files"], description: "bench" }, limits);
const decoder = new TextDecoder();
const temp = (name: string) => mkdtempSync(join(tmpdir(), `taskmaster-bench-${name}-`));
/** The processes whose CPU time during the burst is printed: the side's, nats-server's and this one's. */
const cpuOf = (pid: number | undefined) => ({ side: pid ?? 0, server: server.pid, bench: process.pid });
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

async function relayRound(round: number): Promise<FileRun> {
  const landing = temp("relay-in");
  const relay = await spawnLogged(
    ["--import", "tsx", "test/bench/filerelay.ts", server.url, landing, "relay.files"],
    "filerelay running",
  );
  const pathOf = (d: Uint8Array) => (JSON.parse(decoder.decode(d)) as { path: string }).path;
  const run = await fileRun(nc, landing, "relay.files", pathOf, `r${round}`, cpuOf(relay.pid));
  await stop(relay);
  return run;
}

async function taskmasterRound(round: number): Promise<FileRun> {
  const landing = temp("in");
  const workflow = `[[phase]]\ntask = "ingest"\nrule = "files=${landing}/*.csv"\ntemplate = "{meta:file}"\n`;
  // No settle time: the relay does not wait for a file to be complete either.
  const args = ["run", "--nats.url", server.url, "--workflow", workflowDir({ "files.toml": workflow })];
  const role = withHistory ? "all" : "engine";
  args.push("--role", role, "--files.settle", "0s", "--cache.path", join(temp("history"), "history.db"));
  args.push("--http.listen", "127.0.0.1:0");
  const ready = '"taskmaster running"';
  // Profiled, node runs the command with the flag (node refuses it in NODE_OPTIONS), without its first line's.
  const taskmaster =
    profileDir === undefined
      ? (await spawnTaskmaster(args, ready)).process
      : await spawnLogged(
          ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "cmd/taskmaster/bin.js", ...args],
          ready,
        );
  const pathOf = (d: Uint8Array) => parseTask(d).info;
  const run = await fileRun(nc, landing, "ingest", pathOf, `t${round}`, cpuOf(taskmaster.pid));
  await stop(taskmaster);
  return run;
}

const f = (n: number, digits = 2) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const p99 = (run: FileRun) => percentile(run.latencies, 99);
const cpu = (run: FileRun) => Object.values(run.burstCpu).join(", ");
const spread = (values: number[]) => [50, 90, 100].map((q) => f(percentile(values, q), 0)).join("/");
const burstRatios: number[] = [];
const p99Ratios: number[] = [];
for (let round = 0; round < rounds; round++) {
  const before = load();
  const relayFirst = round % 2 === 0;
  const first = relayFirst ? await relayRound(round) : await taskmasterRound(round);
  const second = relayFirst ? await taskmasterRound(round) : await relayRound(round);
  const [relay, tm] = relayFirst ? [first, second] : [second, first];
  burstRatios.push(tm.burstRate / relay.burstRate);
  p99Ratios.push(p99(tm) / p99(relay));
  console.log(
    `round ${round + 1} (${relayFirst ? "relay first" : "taskmaster first"}; load ${before} → ${load()}): ` +
      `burst relay ${f(relay.burstRate, 0)}/s taskmaster ${f(tm.burstRate, 0)}/s ratio ${f(burstRatios[round] ?? 0)}; ` +
      `200/s p50 ${f(percentile(relay.latencies, 50))} / ${f(percentile(tm.latencies, 50))} ms, ` +
      `p99 ${f(p99(relay))} / ${f(p99(tm))} ms ratio ${f(p99Ratios[round] ?? 0)}; ` +
      `burst p50/p90/max ${spread(relay.burstLatencies)} / ${spread(tm.burstLatencies)} ms; ` +
      `burst CPU ms (side, server, bench) ${cpu(relay)} / ${cpu(tm)}` +
      (profileDir === undefined
        ? ""
        : `; taskmaster's burst at ${tm.burstMonotonic.join(" to ")} µs (monotonic)`),
  );
}
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `median ${f(median)} (${f(sorted[0] ?? 0)} to ${f(sorted.at(-1) ?? 0)})`;
};
console.log(`burst ratio ${summary(burstRatios)}   p99 ratio ${summary(p99Ratios)}   (${rounds} rounds)`);

await nc.close();
await server.stop();
