/**
 * A full disk and a read-only mount, for real: a 512 KiB tmpfs and a read-only bind mount inside `unshare -rm` (CI
 * runs as root, so file modes would not stop a write). The mounts only exist in that namespace, so each scenario is
 * a script in testdata/ run there, printing JSON of what it saw.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../internal/cache/db.ts";
import { tempDir } from "../helpers/records.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const clean of cleanups.splice(0)) clean();
});

/** Runs `testdata/<script>` on `dir` after `setup` (sh, with the folder as "$1") in a new user and mount namespace. */
function inNamespace(setup: string, script: string, dir: string): unknown {
  const file = fileURLToPath(new URL(`../../internal/cache/testdata/${script}`, import.meta.url));
  const command = `${setup} && exec "$0" --import tsx "$2" "$1"`;
  const run = spawnSync("unshare", ["-rm", "sh", "-c", command, process.execPath, dir, file], {
    cwd: repo,
    encoding: "utf8",
    timeout: 15_000,
  });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
}

function folder(): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  return dir;
}

describe("degraded, not down", () => {
  it("keeps records in memory while the disk is full, and writes them when space comes back", () => {
    const dir = folder();
    const path = join(dir, "taskmaster.db");
    const seen = inNamespace('mount -t tmpfs -o size=512k tmpfs "$1"', "full-disk.ts", dir);
    expect(seen).toMatchObject({
      opened: "ok",
      threw: false,
      full: { mode: "degraded", reason: `disk full writing ${path} (SQLITE_FULL)`, pending: 40, dropped: 0 },
      after: { mode: "ok", reason: "", pending: 0, dropped: 0 },
      rows: 50,
      modes: ["degraded", "ok"],
    });
  });

  it("opens degraded on a read-only mount, never crashing, and recovers when it is writable again", () => {
    const dir = folder();
    openDatabase(join(dir, "existing.db")).close();
    const seen = inNamespace('mount --bind "$1" "$1" && mount -o remount,ro,bind "$1"', "read-only.ts", dir);
    const existing = join(dir, "existing.db");
    const fresh = join(dir, "new", "taskmaster.db");
    expect(seen).toMatchObject({
      probe: "ok",
      threw: false,
      readOnly: {
        existing: { mode: "degraded", pending: 5, path: existing },
        fresh: { mode: "degraded", pending: 5, path: fresh },
      },
      remount: 0,
      writable: {
        existing: { state: { mode: "ok", pending: 0 }, rows: 5 },
        fresh: { state: { mode: "ok", pending: 0 }, rows: 5 },
      },
      modes: { existing: ["degraded", "ok"], fresh: ["degraded", "ok"] },
    });
    const reasons = seen as { readOnly: Record<"existing" | "fresh", { reason: string }> };
    expect(reasons.readOnly.existing.reason).toBe(
      `cannot open ${existing}: its folder is missing, cannot be made, is read-only or not allowed (SQLITE_CANTOPEN)`,
    );
    expect(reasons.readOnly.fresh.reason).toMatch(
      new RegExp(`^cannot open ${fresh}: .* \\((ENOENT|EROFS)\\)$`),
    );
  });
});
