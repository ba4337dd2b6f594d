/**
 * The V8 settings the `taskmaster` command applies as it starts (`bin.js`), before the service is loaded. Plain
 * JavaScript, as `bin.js` is: it runs before the bundle exists.
 */
import { setFlagsFromString } from "node:v8";

/**
 * Settings read at each garbage collection, so they still apply when set here, in every thread (the cache's writer
 * too). A flag given on the command line or in NODE_OPTIONS wins.
 *
 * - `--heap-growing-percent`: how far the old generation may grow past what the last full GC left alive before the
 *   next one. Left to itself, on a machine with a few GiB, V8 allows up to 4× (and the service's live heap is tens
 *   of MiB while it allocates fast), so the RSS under load would be mostly garbage waiting for a GC.
 * - `--no-parallel-scavenge`: a young-generation GC runs on the thread that allocated, not spread over V8's helper
 *   threads. The service's young generation is small, and sharing it out costs more in coordination than it saves:
 *   measured on 2 cores, the helper threads' CPU per task is about 17 µs with this and 24 µs without, while the
 *   main thread's is 2 to 3 µs higher; and the cache writer's collections run in its own low-priority thread.
 * - `--no-allocation-site-pretenuring`: V8 allocates straight into the old generation the objects of a place in the
 *   code whose objects it saw survive. A burst of done messages (queued, so they live long) teaches it that about
 *   the message path (the parsed task, its plan, its bytes), and from then on every message's objects go to the old
 *   generation and die there. At 5 000 done messages a second after a start, the main thread then has 7 to 11 full
 *   collections in 8 s, 190-330 ms of collecting and pauses of up to 23 ms; without pretenuring, none, 50-70 ms, and
 *   pauses of at most 7 ms (4 runs each way, cache on). The throughput of 60 000 done messages is the same (5 runs
 *   each way, 25.8-26.6k against 22.8-27.4k tasks a second).
 */
export const gcSettings = [
  "--heap-growing-percent=50",
  "--no-parallel-scavenge",
  "--no-allocation-site-pretenuring",
];

/**
 * Applies the settings; `given` is node's own command line and NODE_OPTIONS, whose flags are left as they are.
 *
 * The young generation's size (`--max-semi-space-size`, on the command's first line) is the main thread's: V8 sized
 * its heap with it as node started. The flag then stays in force for every heap made later, and wins over a worker
 * thread's own `resourceLimits`, so the cache's writer thread would get the main thread's 16 MiB young generation
 * instead of the 4 MiB it asks for. Clearing it here leaves the main thread's heap as it is and lets each later thread
 * size its own (a size given in NODE_OPTIONS is cleared the same way: it too is the main thread's). With 100 000
 * tasks in flight, the highest RSS until the cache has them all is 146.8 and 148.2 MiB in `make bench`, against 168.9
 * and 168.0 MiB without this (runs alternating).
 */
export function applyV8Settings(given) {
  setFlagsFromString("--max-semi-space-size=0");
  for (const setting of gcSettings) {
    const name = setting.replace(/^--(no-)?/, "").split("=")[0];
    if (!given.includes(name)) setFlagsFromString(setting);
  }
}
