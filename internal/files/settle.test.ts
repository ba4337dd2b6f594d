import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.ts";
import { type ManualClock, manualClock } from "../clock/index.ts";
import { createSettler, type FileStat, type Settler, type StatFn, statFile } from "./settle.ts";

let dir: string;
let settler: Settler | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "taskmaster-settle-"));
});
afterEach(() => {
  settler?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A settler on the real file system and a clock the test moves, recording what settled (and when, on that clock),
 * every error, and how many looks it took.
 */
function record(settleMs: number, stat: StatFn = statFile) {
  const clock = manualClock();
  const settled: { path: string; stat: FileStat; at: number }[] = [];
  const errors: { error: Error; path: string }[] = [];
  const looks = { count: 0 };
  settler = createSettler({
    settleMs,
    clock,
    stat: (path) => {
      looks.count += 1;
      return stat(path);
    },
    onSettled: (path, s) => settled.push({ path, stat: s, at: clock.now().getTime() }),
    onError: (error, path) => errors.push({ error, path }),
  });
  return { settler, clock, settled, errors, looks };
}

/** Waits until the settler has looked at the file and armed its wait, due `ms` from now. */
const waiting = (clock: ManualClock, ms: number) => {
  const due = clock.now().getTime() + ms;
  return waitFor(() => clock.due().includes(due), { message: `a wait due in ${ms} ms` });
};

describe("createSettler", () => {
  it("hands a file on once it has not changed for settleMs, with its size, and not a moment before", async () => {
    const { settler, clock, settled } = record(100);
    const path = join(dir, "a.csv");
    writeFileSync(path, "hello");
    const start = clock.now().getTime();
    settler.touch(path);
    expect(settler.pending).toBe(1);
    await waiting(clock, 100);
    await clock.advance(99);
    expect(clock.due()).toEqual([start + 100]);
    await clock.advance(1);
    await waitFor(() => settled.length === 1);
    expect(settled[0]).toMatchObject({ at: start + 100, stat: { size: 5, isFile: true } });
    expect(settler.pending).toBe(0);
  });

  it("restarts the wait on every touch: a slow writer settles once, settleMs after its last byte", async () => {
    const { settler, clock, settled } = record(150);
    const path = join(dir, "slow.csv");
    writeFileSync(path, "");
    let lastWrite = 0;
    for (let chunk = 0; chunk < 5; chunk += 1) {
      appendFileSync(path, "0123456789");
      lastWrite = clock.now().getTime();
      settler.touch(path);
      await waiting(clock, 150);
      await clock.advance(60);
    }
    expect(settled).toEqual([]);
    await clock.advance(90);
    await waitFor(() => settled.length === 1);
    expect(settled[0]).toMatchObject({ at: lastWrite + 150, stat: { size: 50 } });
    // Nothing is left waiting, so nothing more can settle.
    expect(settler.pending).toBe(0);
    expect(clock.due()).toEqual([]);
  });

  it("waits again when the file changed without an event (network file systems send none)", async () => {
    const { settler, clock, settled } = record(150);
    const path = join(dir, "quiet.csv");
    writeFileSync(path, "a");
    const start = clock.now().getTime();
    settler.touch(path);
    await waiting(clock, 150);
    await clock.advance(50);
    appendFileSync(path, "bc"); // no touch
    await clock.advance(100);
    await waiting(clock, 150);
    expect(settled).toEqual([]);
    await clock.advance(150);
    await waitFor(() => settled.length === 1);
    expect(settled[0]).toMatchObject({ at: start + 300, stat: { size: 3 } });
  });

  it("forgets a file removed before it settled, and a directory", async () => {
    const { settler, clock, settled, errors } = record(80);
    const gone = join(dir, "gone.csv");
    writeFileSync(gone, "x");
    settler.touch(gone);
    rmSync(gone);
    const folder = join(dir, "sub");
    mkdirSync(folder);
    settler.touch(folder);
    settler.touch(join(dir, "never-there.csv"));
    // The first look may have seen the file still there: then the look at the end of its wait finds it gone.
    await waitFor(
      async () => {
        await clock.advance(80);
        return settler.pending === 0;
      },
      { message: "every path forgotten" },
    );
    expect(clock.due()).toEqual([]);
    expect(settled).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("looks once at each end of the wait, however many events a write made in one turn", async () => {
    const { settler, clock, settled, looks } = record(100);
    const path = join(dir, "events.csv");
    writeFileSync(path, "abc");
    // A writer's open, write and close: three events, taken in within one turn of the event loop.
    settler.touch(path);
    settler.touch(path);
    settler.touch(path);
    await waiting(clock, 100);
    expect(looks.count).toBe(1);
    await clock.advance(100);
    await waitFor(() => settled.length === 1);
    expect(looks.count).toBe(2);
  });

  it("with a settleMs of 0, hands a file on at the first look, without a timer", async () => {
    const { settler, clock, settled, looks } = record(0);
    const path = join(dir, "now.csv");
    writeFileSync(path, "now");
    settler.touch(path);
    settler.touch(path);
    await waitFor(() => settled.length === 1);
    expect(settled[0]).toMatchObject({ path, stat: { size: 3 } });
    expect(looks.count).toBe(1);
    expect(clock.due()).toEqual([]);
    expect(settler.pending).toBe(0);
  });

  it("times every wait with one timer, armed for the first to end", async () => {
    let answered = 0;
    const { settler, clock, settled } = record(100, async (path) => {
      const look = await statFile(path);
      answered += 1;
      return look;
    });
    const start = clock.now().getTime();
    const paths = Array.from({ length: 50 }, (_, i) => join(dir, `many-${i}.csv`));
    for (const path of paths.slice(0, 25)) {
      writeFileSync(path, "m");
      settler.touch(path);
    }
    await waiting(clock, 100);
    await clock.advance(40);
    for (const path of paths.slice(25)) {
      writeFileSync(path, "m");
      settler.touch(path);
    }
    await waitFor(() => answered === 50, { message: "every wait started" });
    expect(clock.due()).toEqual([start + 100]);
    await clock.advance(60);
    await waitFor(() => settled.length === 25);
    expect(clock.due()).toEqual([start + 140]);
    await clock.advance(40);
    await waitFor(() => settled.length === 50);
    const byPath = (a: [string, number], b: [string, number]) => a[0].localeCompare(b[0]);
    const settledAt = settled.map((s): [string, number] => [s.path, s.at]).sort(byPath);
    expect(settledAt).toEqual(
      paths.map((path, i): [string, number] => [path, start + (i < 25 ? 100 : 140)]).sort(byPath),
    );
    expect(clock.due()).toEqual([]);
  });

  it("reports a failed look and a throwing onSettled, and drops the path", async () => {
    const failing = record(20, () => Promise.reject(new Error("EIO")));
    failing.settler.touch("/x/a.csv");
    await waitFor(() => failing.errors.length === 1);
    expect(failing.errors[0]).toMatchObject({ path: "/x/a.csv", error: { message: "EIO" } });
    expect(failing.settler.pending).toBe(0);
    failing.settler.close();

    const clock = manualClock();
    const errors: Error[] = [];
    const path = join(dir, "b.csv");
    writeFileSync(path, "b");
    settler = createSettler({
      settleMs: 20,
      clock,
      stat: statFile,
      onSettled: () => {
        throw new Error("consumer broke");
      },
      onError: (error) => errors.push(error),
    });
    settler.touch(path);
    await waiting(clock, 20);
    await clock.advance(20);
    await waitFor(() => errors.length === 1);
    expect(errors[0]?.message).toBe("consumer broke");
    expect(settler.pending).toBe(0);
  });

  it("settles nothing after close: its waits are stopped and later touches take no look", async () => {
    const { settler, clock, settled, looks } = record(30);
    const path = join(dir, "c.csv");
    writeFileSync(path, "c");
    settler.touch(path);
    await waiting(clock, 30);
    settler.close();
    expect(clock.due()).toEqual([]);
    settler.touch(path);
    expect(settler.pending).toBe(0);
    expect(looks.count).toBe(1);
    await clock.advance(1_000);
    expect(settled).toEqual([]);
  });
});
