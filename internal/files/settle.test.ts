import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.ts";
import { createSettler, type FileStat, type Settler, statFile } from "./settle.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let settler: Settler | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "taskmaster-settle-"));
});
afterEach(() => {
  settler?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A settler on the real file system that records what settled, when, and every error. */
function record(settleMs: number, stat = statFile) {
  const settled: { path: string; stat: FileStat; at: number }[] = [];
  const errors: { error: Error; path: string }[] = [];
  settler = createSettler({
    settleMs,
    stat,
    onSettled: (path, s) => settled.push({ path, stat: s, at: Date.now() }),
    onError: (error, path) => errors.push({ error, path }),
  });
  return { settler, settled, errors };
}

describe("createSettler", () => {
  it("hands a file on once it has not changed for settleMs, with its size", async () => {
    const { settler, settled } = record(100);
    const path = join(dir, "a.csv");
    writeFileSync(path, "hello");
    const start = Date.now();
    settler.touch(path);
    expect(settler.pending).toBe(1);
    await waitFor(() => settled.length === 1);
    expect(Date.now() - start).toBeGreaterThanOrEqual(100);
    expect(settled[0]?.stat).toMatchObject({ size: 5, isFile: true });
    expect(settler.pending).toBe(0);
  });

  it("restarts the wait on every touch: a slow writer settles once, after its last byte", async () => {
    const { settler, settled } = record(150);
    const path = join(dir, "slow.csv");
    writeFileSync(path, "");
    let lastWrite = 0;
    for (let chunk = 0; chunk < 5; chunk += 1) {
      appendFileSync(path, "0123456789");
      lastWrite = Date.now();
      settler.touch(path);
      await sleep(60);
    }
    await waitFor(() => settled.length === 1);
    expect(settled[0]?.stat.size).toBe(50);
    // A few ms of slack: a timer and Date.now() do not tick on the same millisecond boundaries.
    expect(settled[0]?.at ?? 0).toBeGreaterThanOrEqual(lastWrite + 140);
    await sleep(200);
    expect(settled).toHaveLength(1);
  });

  it("waits again when the file changed without an event (network file systems send none)", async () => {
    const { settler, settled } = record(150);
    const path = join(dir, "quiet.csv");
    writeFileSync(path, "a");
    settler.touch(path);
    await sleep(50);
    appendFileSync(path, "bc"); // no touch
    await waitFor(() => settled.length === 1);
    expect(settled[0]?.stat.size).toBe(3);
  });

  it("forgets a file removed before it settled, and a directory", async () => {
    const { settler, settled, errors } = record(80);
    const gone = join(dir, "gone.csv");
    writeFileSync(gone, "x");
    settler.touch(gone);
    rmSync(gone);
    const folder = join(dir, "sub");
    mkdirSync(folder);
    settler.touch(folder);
    settler.touch(join(dir, "never-there.csv"));
    await waitFor(() => settler.pending === 0);
    await sleep(120);
    expect(settled).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("reports a failed look and a throwing onSettled, and drops the path", async () => {
    const failing = record(20, () => Promise.reject(new Error("EIO")));
    failing.settler.touch("/x/a.csv");
    await waitFor(() => failing.errors.length === 1);
    expect(failing.errors[0]).toMatchObject({ path: "/x/a.csv", error: { message: "EIO" } });
    expect(failing.settler.pending).toBe(0);
    failing.settler.close();

    const errors: Error[] = [];
    const path = join(dir, "b.csv");
    writeFileSync(path, "b");
    settler = createSettler({
      settleMs: 20,
      stat: statFile,
      onSettled: () => {
        throw new Error("consumer broke");
      },
      onError: (error) => errors.push(error),
    });
    settler.touch(path);
    await waitFor(() => errors.length === 1);
    expect(errors[0]?.message).toBe("consumer broke");
    expect(settler.pending).toBe(0);
  });

  it("settles nothing after close", async () => {
    const { settler, settled } = record(30);
    const path = join(dir, "c.csv");
    writeFileSync(path, "c");
    settler.touch(path);
    settler.close();
    settler.touch(path);
    expect(settler.pending).toBe(0);
    await sleep(80);
    expect(settled).toEqual([]);
  });
});
