import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatProblem, hasErrors } from "../errors/index.ts";
import { loadSnapshot } from "./load.ts";

const FIXTURES = join(import.meta.dirname, "testdata");
const GOOD = '[[phase]]\ntask = "a"\nrule = "cron=@daily"\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "taskmaster-workflow-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(rel: string, text: string): void {
  const path = join(dir, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

describe("loadSnapshot (flowlord's TestRefresh counts)", () => {
  it("reads a single file as one workflow named by its base name", async () => {
    const s = await loadSnapshot(join(FIXTURES, "workflow", "f1.toml"));
    expect([...s.workflows.keys()]).toEqual(["f1.toml"]);
    expect(s.workflows.get("f1.toml")?.phases).toHaveLength(8);
    expect(hasErrors(s.problems)).toBe(false);
  });

  it("reads the workflow directory as 4 workflows", async () => {
    const s = await loadSnapshot(join(FIXTURES, "workflow"));
    expect([...s.workflows.keys()]).toEqual(["f1.toml", "f2.toml", "f3.toml", "jobs.toml"]);
    expect(s.phases).toHaveLength(20);
    expect(hasErrors(s.problems)).toBe(false);
  });

  it("reads a directory recursively, naming files by their path below the root", async () => {
    const root = join(FIXTURES, "parent");
    const s = await loadSnapshot(root);
    expect([...s.workflows.keys()]).toEqual(["f1.toml", "group/f3.toml"]);
    expect(s.workflows.get("group/f3.toml")?.path).toBe(join(root, "group", "f3.toml"));
    expect(s.phases.map((p) => `${p.workflow} ${p.key}`)).toEqual([
      "f1.toml task1",
      "f1.toml task2",
      "group/f3.toml task1",
      "group/f3.toml task3",
    ]);
    // flowlord's fixture has a relative files= glob, which no arriving path can match.
    expect(s.problems.map((p) => `${p.severity} ${p.workflow} ${p.phase} ${p.key}`)).toEqual([
      "warning group/f3.toml task3 rule.files",
    ]);
    expect(s.root).toBe(root);
  });

  it("gives a file that is not TOML no workflow and one error with line and column", async () => {
    const s = await loadSnapshot(join(FIXTURES, "invalid.toml"));
    expect(s.workflows.size).toBe(0);
    expect(s.problems.map(formatProblem)).toEqual([
      "invalid.toml:3:9: invalid TOML: expected end of table array declaration",
    ]);
  });
});

describe("loadSnapshot on a temporary directory", () => {
  it("reports a root that does not exist", async () => {
    const root = join(dir, "missing");
    const s = await loadSnapshot(root);
    expect(s.workflows.size).toBe(0);
    expect(s.phases).toEqual([]);
    expect(s.problems.map(formatProblem)).toEqual([`${root}: workflow path does not exist`]);
  });

  it("warns about a directory without workflow files", async () => {
    write("notes.txt", "not a workflow");
    const s = await loadSnapshot(dir);
    expect(s.problems.map(formatProblem)).toEqual([`${dir}: warning: no workflow files found`]);
    expect(hasErrors(s.problems)).toBe(false);
  });

  it("reads only .toml files, in name order", async () => {
    write("b.toml", GOOD);
    write("a/z.toml", GOOD);
    write("a.toml", GOOD);
    write("README.md", "# not toml [[");
    write("b.toml.bak", "[[[ broken");
    const s = await loadSnapshot(dir);
    expect([...s.workflows.keys()]).toEqual(["a.toml", "a/z.toml", "b.toml"]);
    expect(s.problems).toEqual([]);
  });

  it("keeps the good files when one is broken", async () => {
    write("good.toml", GOOD);
    write("bad.toml", 'x = "unterminated\n');
    const s = await loadSnapshot(dir);
    expect([...s.workflows.keys()]).toEqual(["good.toml"]);
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toMatchObject({ severity: "error", workflow: "bad.toml", line: 1 });
  });

  it("reports a file it cannot read", async () => {
    write("good.toml", GOOD);
    symlinkSync(join(dir, "nowhere.toml"), join(dir, "broken.toml"));
    const s = await loadSnapshot(dir);
    expect([...s.workflows.keys()]).toEqual(["good.toml"]);
    expect(s.problems.map(formatProblem)).toEqual([
      `broken.toml: cannot read file: ENOENT: no such file or directory, open '${join(dir, "broken.toml")}'`,
    ]);
  });

  it("follows a symlinked directory once, without looping", async () => {
    write("sub/x.toml", GOOD);
    symlinkSync(dir, join(dir, "sub", "loop"));
    symlinkSync(join(dir, "sub"), join(dir, "alias"));
    const s = await loadSnapshot(dir);
    // `alias` is the same directory as `sub`: it is read once, under the name that sorts first.
    expect([...s.workflows.keys()]).toEqual(["alias/x.toml"]);
    expect(s.problems).toEqual([]);
  });

  it("reads a root given as a file whatever its extension", async () => {
    write("flows.conf", GOOD);
    const s = await loadSnapshot(join(dir, "flows.conf"));
    expect([...s.workflows.keys()]).toEqual(["flows.conf"]);
  });

  it("validates each file on its own", async () => {
    write("one.toml", '[[phase]]\ntask = "a"\ndependsOn = "b"\n');
    write("two.toml", '[[phase]]\ntask = "b"\nrule = "cron=@daily"\n');
    const s = await loadSnapshot(dir);
    expect(s.problems.map(formatProblem)).toEqual([
      'one.toml:1: a: warning: dependsOn: parent "b" not found in one.toml; this phase only runs by backload',
    ]);
  });
});
