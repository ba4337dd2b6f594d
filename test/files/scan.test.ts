// A scan of a tree holding a folder it cannot read, run as a separate process so it can run as an unprivileged user.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("scanRoot", () => {
  // Root reads every folder whatever its mode, so as root the scan runs as the user nobody (CI runs as root).
  it("reports an unreadable folder and scans the rest", () => {
    const script = fileURLToPath(new URL("../../internal/files/testdata/unreadable.ts", import.meta.url));
    const node = [process.execPath, "--import", "tsx", script];
    const asUser =
      process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
    const [command = "", ...args] = [...asUser, ...node];
    const run = spawnSync(command, args, {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ found: ["/open.csv"], problems: ["/locked"] });
  });
});
