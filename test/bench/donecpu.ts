/**
 * The engine's CPU per done message, in one process: done messages of `make bench`'s `child` phase, each planned
 * into one `grandchild` task and published through the real Publisher to a real nats-server, then acked. Prints this
 * process's CPU time (user + system) per message, the median of a few rounds: the cost of the hot path, not the
 * server's. Not a test: `node --import tsx test/bench/donecpu.ts` (BENCH_N messages a round, default 20 000).
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connectNats, ensureStream, type Inbound, Publisher, startNats } from "../../internal/bus/index.ts";
import { systemClock } from "../../internal/clock/index.ts";
import { createEngine } from "../../internal/engine/index.ts";
import { buildSnapshot } from "../../internal/workflow/index.ts";
import { childDone } from "./streams.ts";

const N = Number(process.env.BENCH_N ?? 20_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const workflow = `
[[phase]]
task = "root"
rule = "cron=@yearly"

[[phase]]
task = "child"
dependsOn = "root"
rule = "meta=i:${Array.from({ length: 100 }, (_, i) => i).join(",")}"
template = "?i={meta:i}"

[[phase]]
task = "grandchild"
dependsOn = "child"
template = "?sent={meta:sent}"
`;

const server = await startNats();
const nc = await connectNats({ url: server.url, name: "donecpu" });
const jsm = await jetstreamManager(nc);
const limits = { maxAgeMs: 3_600_000, maxBytes: -1, duplicateWindowMs: 120_000, replicas: 1 };
await ensureStream(jsm, { name: "TASKS", subjects: ["tasks.>"], description: "" }, limits);
const publisher = new Publisher(nc);
const engine = createEngine({
  outbox: publisher,
  subjects: { taskPrefix: "tasks.", failed: "", retry: "taskmaster.retry" },
  clock: systemClock,
  host: "bench",
  readMetaFile: () => [],
});
engine.setSnapshot(buildSnapshot("/wf", [{ name: "fanout.toml", path: "/wf/fanout.toml", text: workflow }]));

let acked = 0;
function inbound(data: Uint8Array, seq: number): Inbound {
  return {
    data,
    subject: "done",
    seq,
    timestampNanos: 0n,
    redelivered: false,
    ack: () => void acked++,
    nak: () => {},
    term: () => {},
  };
}

let next = 0;
async function round(count: number): Promise<number> {
  const messages = Array.from({ length: count }, () => inbound(childDone(next, next++), next));
  const before = process.cpuUsage();
  for (const m of messages) engine.onDone(m);
  await engine.drain();
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / count;
}

await round(N); // warm up: JIT, the stream's first blocks
const figures: number[] = [];
for (let i = 0; i < rounds; i++) figures.push(await round(N));
figures.sort((a, b) => a - b);
const median = figures[Math.floor(rounds / 2)] ?? 0;
process.stdout.write(
  `done → child: ${Math.round(median)} ns of CPU per message (median of ${rounds} rounds of ${N}, fastest ${Math.round(figures[0] ?? 0)}; ` +
    `${figures.map(Math.round).join(", ")}); ${acked} acked\n`,
);
publisher.close();
await nc.close();
await server.stop();
