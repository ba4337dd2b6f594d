/**
 * The child process of `test/bench/history.ts`: a history follower on an empty file catching up with streams that
 * are already full, run bundled by the runner (`historyfollow.mjs URL PATH TASKS DONE EVENTS AUDIT FAILED`); it prints
 * one line of JSON: the messages and rows it wrote, the milliseconds it took, its CPU time over them
 * (ms) and its peak RSS (MiB).
 */
import { connectNats } from "../../internal/bus/index.ts";
import { counts, startFollower } from "../../internal/cache/index.ts";

const [url = "", path = "", tasks = "", done = "", events = "", audit = "", failed = ""] =
  process.argv.slice(2);
const nc = await connectNats({ url, name: "bench-history" });
const start = performance.now();
const cpuBefore = process.cpuUsage();
const follower = await startFollower({
  nc,
  path,
  streams: { tasks, failed, done, events, audit },
  retentionMs: 0,
});
await follower.caughtUp();
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuBefore);
const state = follower.state();
const db = follower.database();
const rows = db ? counts(db).tasks : 0;
await follower.stop();
await nc.close();
console.log(
  JSON.stringify({
    peak: process.resourceUsage().maxRSS / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
    messages: Object.values(state.positions).reduce((a, b) => a + b, 0),
    rows,
    written: state.written,
    ms,
  }),
);
