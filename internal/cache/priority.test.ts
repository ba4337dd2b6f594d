import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canLeaveIdle, policyFor, type WriterPolicy } from "./priority.ts";
import { startThreadedCache } from "./thread.ts";

const limits = { liftAbove: 100, liftAfterMs: 5000, idleBelow: 20 };
const behind = (waiting: number, oldestMs = 0) => ({ waiting, oldestMs });

/** The nice value and scheduling policy (0 normal, 5 idle) of each thread of this process at nice 19. */
function niceThreads(): { nice: number; policy: number }[] {
  return readdirSync("/proc/self/task").flatMap((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const nice = Number(fields[16]);
    return nice === 19 ? [{ nice, policy: Number(fields[38]) }] : [];
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("the cache writer's CPU policy", () => {
  it("is lifted when the writer falls far behind or a record waits too long, and idles again once caught up", () => {
    expect(policyFor(behind(50, 4000), "idle", limits)).toBe("idle");
    expect(policyFor(behind(101), "idle", limits)).toBe("normal");
    expect(policyFor(behind(1, 5001), "idle", limits)).toBe("normal");
    expect(policyFor(behind(50), "normal", limits)).toBe("normal");
    expect(policyFor(behind(19, 5001), "normal", limits)).toBe("normal");
    expect(policyFor(behind(19, 100), "normal", limits)).toBe("idle");
  });

  it.runIf(process.platform === "linux")(
    "runs the writer thread idle at nice 19, lifts it through a burst and lets it idle after",
    async () => {
      const policies: WriterPolicy[] = [];
      const cache = startThreadedCache({
        path: join(mkdtempSync(join(tmpdir(), "taskmaster-priority-")), "cache.db"),
        retentionMs: 0,
        policyLimits: limits,
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
        for (let i = 0; i < 1000; i++) {
          cache.taskDone({
            id: `t${i}`,
            type: "burst",
            job: "",
            info: "",
            created: "2024-01-15T00:00:00Z",
            meta: "",
            result: "complete",
            msg: "",
            started: null,
            ended: null,
            done: "2024-01-15T00:00:01.000Z",
          });
        }
        await cache.flush();
        await until(() => policies.length >= 3, `lifted and idle again (${policies.join(", ")})`);
        expect(policies.slice(0, 3)).toEqual(["idle", "normal", "idle"]);
        expect(niceThreads()).toEqual([{ nice: 19, policy: 5 }]);
      } finally {
        await cache.close();
      }
    },
  );
});
