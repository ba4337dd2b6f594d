/**
 * How long this process's event loop is held, measured in the main thread's CPU time rather than on the clock. On a
 * shared machine the clock also counts the moments the process waits for a core (a quiet loop shows 60-110 ms gaps
 * when two cores run a dozen processes), which no code of ours causes; CPU time counts only the work that holds the
 * loop. Read from `/proc/self/task/<pid>/schedstat`, whose first field is the main thread's time on a CPU in ns.
 */
import { readFileSync } from "node:fs";

function mainThreadCpuNs(): number {
  const schedstat = readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8");
  return Number(schedstat.slice(0, schedstat.indexOf(" ")));
}

export interface LoopWatch {
  /** Stops watching; the longest CPU time, in ms, the main thread spent between two turns of the loop. */
  stop(): number;
}

/** Watches the loop from a timer every `everyMs`: the CPU the main thread used between two of its turns. */
export function watchLoop(everyMs = 5): LoopWatch {
  let last = mainThreadCpuNs();
  let longest = 0;
  const turn = () => {
    const now = mainThreadCpuNs();
    longest = Math.max(longest, now - last);
    last = now;
  };
  const timer = setInterval(turn, everyMs);
  return {
    stop() {
      clearInterval(timer);
      turn();
      return longest / 1e6;
    },
  };
}
