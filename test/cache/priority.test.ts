// The cache writer on its thread: its nice value and idle scheduling under a burst, and how it holds while the main
// thread is busy.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canLeaveIdle, type WriterPolicy } from "../../internal/cache/priority.ts";
import { startThreadedCache } from "../../internal/cache/thread.ts";
import { burstDone } from "../helpers/records.ts";
import { waitFor } from "../helpers/wait.ts";

const limits = { liftAbove: 100, liftAfterMs: 5000, idleBelow: 20, holdAbove: 0.7 };

/** The nice value and scheduling policy (0 normal, 5 idle) of each thread of this process at nice 19. */
function niceThreads(): { nice: number; policy: number }[] {
  return readdirSync("/proc/self/task").flatMap((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const nice = Number(fields[16]);
    return nice === 19 ? [{ nice, policy: Number(fields[38]) }] : [];
  });
}

const until = (check: () => boolean, what: string) => waitFor(check, { message: what });

describe("the cache writer's CPU policy", () => {
  it.runIf(process.platform === "linux")(
    "runs the writer thread idle at nice 19, lifts it through a burst and lets it idle after",
    async () => {
      const policies: WriterPolicy[] = [];
      const cache = startThreadedCache({
        path: join(mkdtempSync(join(tmpdir(), "taskmaster-priority-")), "cache.db"),
        retentionMs: 0,
        policyLimits: limits,
        mainLoad: () => 0,
        onPolicy: (p) => policies.push(p),
      });
      try {
        const liftable = await canLeaveIdle();
        if (!liftable) {
          // Not allowed here (an unprivileged user with no RLIMIT_NICE): nice 19 only, never idle.
          await cache.flush();
          expect(niceThreads()).toEqual([{ nice: 19, policy: 0 }]);
          return;
        }
        await until(() => policies.length > 0, "the writer to be made idle");
        expect(niceThreads()).toEqual([{ nice: 19, policy: 5 }]);
        // A burst posted while the main thread is busy: 1 000 records wait, more than `liftAbove`.
        for (let i = 0; i < 1000; i++) cache.taskDone(burstDone(i));
        await cache.flush();
        await until(() => policies.length >= 3, `lifted and idle again (${policies.join(", ")})`);
        expect(policies.slice(0, 3)).toEqual(["idle", "normal", "idle"]);
        expect(niceThreads()).toEqual([{ nice: 19, policy: 5 }]);
      } finally {
        await cache.close();
      }
    },
  );

  /**
   * A cache whose main thread reads as busy while `busy.now` is true. Every look at that load (one each 100 ms)
   * decides at once whether the writer waits; `looked(n)` resolves once `n` more looks have been taken.
   */
  function busyCache(liftAfterMs: number) {
    const busy = { now: true };
    let looks = 0;
    const cache = startThreadedCache({
      path: join(mkdtempSync(join(tmpdir(), "taskmaster-hold-")), "cache.db"),
      retentionMs: 0,
      policyLimits: { ...limits, liftAbove: 100_000, liftAfterMs },
      mainLoad: () => {
        looks += 1;
        return busy.now ? 1 : 0;
      },
    });
    const rows = () =>
      (cache.database()?.prepare("SELECT count(*) AS n FROM tasks").get() as { n: number } | undefined)?.n ??
      0;
    const looked = (n: number) => {
      const from = looks;
      return until(() => looks >= from + n, `${n} looks at the main thread's load`);
    };
    return { busy, cache, rows, looked };
  }

  it("lets the writer wait while the main thread is busy and write once it is not, without a flush", async () => {
    const { busy, cache, rows, looked } = busyCache(60_000);
    try {
      await cache.flush(); // open
      await looked(1); // the writer is held from the first look on
      for (let i = 0; i < 300; i++) cache.taskDone(burstDone(i));
      // Three more looks, each finding the main thread busy: the writer, which would write within 20 ms of being
      // let go, has waited all along.
      await looked(3);
      expect(rows()).toBe(0);
      expect(cache.state().pending).toBe(300);
      busy.now = false;
      await until(() => rows() === 300, "the records written once the main thread was idle");
    } finally {
      await cache.close();
    }
  });

  it("does not let the writer wait past liftAfterMs, nor while a flush is pending", async () => {
    const late = busyCache(400);
    try {
      await late.cache.flush();
      await late.looked(1);
      for (let i = 0; i < 300; i++) late.cache.taskDone(burstDone(i));
      await late.looked(1); // the records are younger than 400 ms: still held
      expect(late.rows()).toBe(0);
      await until(() => late.rows() === 300, "the records written once they were late");
    } finally {
      await late.cache.close();
    }
    const flushed = busyCache(60_000);
    try {
      await flushed.cache.flush();
      await flushed.looked(1);
      for (let i = 0; i < 300; i++) flushed.cache.taskDone(burstDone(i));
      await flushed.cache.flush();
      expect(flushed.rows()).toBe(300);
    } finally {
      await flushed.cache.close();
    }
  });
});
