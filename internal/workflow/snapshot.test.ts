import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatProblem, hasErrors } from "../errors/index.ts";
import { childrenOf, cronPhases, filePhases, findPhase, phasesNamed } from "./query.ts";
import { buildSnapshot, checksum, type WorkflowFile } from "./snapshot.ts";
import type { Phase, Snapshot } from "./types.ts";

const FIXTURES = join(import.meta.dirname, "testdata");

function fixture(name: string): WorkflowFile {
  const path = join(FIXTURES, "workflow", name);
  return { name, path, text: readFileSync(path, "utf8") };
}

const keys = (phases: readonly Phase[]) => phases.map((p) => p.key);

let s: Snapshot;
beforeAll(() => {
  // Out of order on purpose: the snapshot sorts.
  s = buildSnapshot("testdata/workflow", ["jobs.toml", "f3.toml", "f1.toml", "f2.toml"].map(fixture));
});

describe("buildSnapshot", () => {
  it("holds the fixture workflows sorted by name, their phases by workflow then key", () => {
    expect([...s.workflows.keys()]).toEqual(["f1.toml", "f2.toml", "f3.toml", "jobs.toml"]);
    expect(s.phases.map((p) => `${p.workflow} ${p.key}`)).toEqual([
      "f1.toml task1",
      "f1.toml task1:t2",
      "f1.toml task1:t4",
      "f1.toml task2",
      "f1.toml task3",
      "f1.toml task4",
      "f1.toml task5:t5",
      "f1.toml task6",
      "f2.toml dup",
      "f2.toml task1",
      "f3.toml task1",
      "f3.toml task3",
      "jobs.toml dup",
      "jobs.toml t2:j1",
      "jobs.toml t2:j2",
      "jobs.toml t2:j3",
      "jobs.toml worker:child1",
      "jobs.toml worker:child2",
      "jobs.toml worker:child3",
      "jobs.toml worker:parent_job",
    ]);
    expect(s.workflows.get("f3.toml")?.path).toBe(join(FIXTURES, "workflow", "f3.toml"));
  });

  it("loads the fixtures with warnings only, in file then line order", () => {
    expect(hasErrors(s.problems)).toBe(false);
    const nonScheduled =
      "warning: non-scheduled phase: use dependsOn, cron or files (it only runs by backload)";
    const fileWarning =
      "warning: template: {meta:file} is used, but nothing supplies it to this phase " +
      "(only a worker could; add require={meta:file} to skip the child when it is missing)";
    expect(s.problems.map(formatProblem)).toEqual([
      `f1.toml:17: task1: ${nonScheduled}`,
      `f1.toml:28: task3: ${fileWarning}`,
      `f1.toml:33: task4: ${fileWarning}`,
      'f1.toml:39: task5:t5: warning: dependsOn: parent "task1:j4" not found in f1.toml; this phase only runs by backload',
      `f2.toml:4: task1: ${nonScheduled}`,
      `f2.toml:9: dup: ${nonScheduled}`,
      "f3.toml:8: task3: warning: rule.files: files=./folder/*.txt is relative, and file paths are absolute " +
        "(/data/in/*.csv) or name their store (gs://bucket/*.csv): it matches no file",
      `jobs.toml:24: t2:j1: ${nonScheduled}`,
      `jobs.toml:29: t2:j2: ${nonScheduled}`,
      `jobs.toml:34: t2:j3: ${nonScheduled}`,
      `jobs.toml:38: dup: ${nonScheduled}`,
    ]);
  });

  it("keeps a checksum of each file: md5 hex of its UTF-8 bytes", () => {
    expect(checksum("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(checksum("é")).toBe("66ddcd97cfdeabb2f6fb8a999b4bc76f");
    const f2 = fixture("f2.toml");
    expect(s.workflows.get("f2.toml")?.checksum).toBe(checksum(f2.text));
    expect(checksum(f2.text)).toMatch(/^[0-9a-f]{32}$/);
  });

  it("leaves out a file that is not TOML, keeping its problem and the other files", () => {
    const snap = buildSnapshot("root", [
      { name: "bad.toml", path: "root/bad.toml", text: "[[phase]\n" },
      { name: "good.toml", path: "root/good.toml", text: '[[phase]]\ntask = "a"\nrule = "cron=@daily"\n' },
    ]);
    expect([...snap.workflows.keys()]).toEqual(["good.toml"]);
    expect(snap.problems.map(formatProblem)).toEqual([
      "bad.toml:1:9: invalid TOML: expected end of table array declaration",
    ]);
    expect(snap.root).toBe("root");
  });

  it("keeps a file with errors in a workflow (the caller decides with hasErrors)", () => {
    const snap = buildSnapshot("r", [
      { name: "w.toml", path: "r/w.toml", text: '[[phase]]\ntask = "a"\nretry = 1.5\n' },
    ]);
    expect(keys(snap.phases)).toEqual(["a"]);
    expect(hasErrors(snap.problems)).toBe(true);
  });
});

describe("childrenOf (flowlord's TestChildren)", () => {
  it("finds the phases a finished task triggers in its workflow", () => {
    expect(keys(childrenOf(s, "f1.toml", "task1", ""))).toEqual(["task2"]);
    expect(keys(childrenOf(s, "f1.toml", "task2", ""))).toEqual(["task3", "task4"]);
    expect(keys(childrenOf(s, "f1.toml", "task3", ""))).toEqual([]);
    expect(keys(childrenOf(s, "f1.toml", "task4", ""))).toEqual([]);
    expect(keys(childrenOf(s, "f1.toml", "task1", "j4"))).toEqual(["task2", "task5:t5"]);
    expect(keys(childrenOf(s, "f1.toml", "task5", "t5"))).toEqual(["task6"]);
  });

  it("has no children for a blank or unknown type, or another workflow", () => {
    expect(childrenOf(s, "f1.toml", "", "")).toEqual([]);
    expect(childrenOf(s, "f1.toml", "nope", "")).toEqual([]);
    expect(childrenOf(s, "f2.toml", "task1", "")).toEqual([]);
    expect(childrenOf(s, "missing.toml", "task1", "")).toEqual([]);
  });

  it("matches a dependsOn job exactly", () => {
    expect(keys(childrenOf(s, "jobs.toml", "worker", "parent_job"))).toEqual([
      "worker:child1",
      "worker:child2",
    ]);
    expect(keys(childrenOf(s, "jobs.toml", "worker", "child2"))).toEqual(["worker:child3"]);
    expect(keys(childrenOf(s, "jobs.toml", "worker", "child1"))).toEqual([]);
  });
});

describe("findPhase", () => {
  it("finds a phase by workflow, topic and job exactly", () => {
    const t2 = findPhase(s, "f1.toml", "task1", "t2");
    expect([t2?.key, t2?.retry, t2?.rule.retryDelayMs]).toEqual(["task1:t2", 3, 10]);
    const plain = findPhase(s, "f1.toml", "task1", "");
    expect([plain?.key, plain?.retry, plain?.rule.retryDelayMs]).toEqual(["task1", 3, 10]);
    expect(findPhase(s, "f2.toml", "task1", "")?.retry).toBe(3);
    expect(findPhase(s, "jobs.toml", "worker", "child2")?.template).toBe("?day={yyyy}-{mm}-{dd}");
    expect(findPhase(s, "f1.toml", "task1", "j4")).toBeUndefined();
    expect(findPhase(s, "nope.toml", "task1", "")).toBeUndefined();
  });
});

describe("phasesNamed (flowlord's TestGet, sqlite semantics)", () => {
  const named = (topic: string, job?: string) =>
    phasesNamed(s, topic, job).map((p) => `${p.workflow} ${p.key}`);

  it("matches topic:job exactly when a job is given", () => {
    expect(named("t2", "j2")).toEqual(["jobs.toml t2:j2"]);
    expect(phasesNamed(s, "t2", "j2")[0]?.rule.text).toBe("job=j2");
    expect(named("t2", "j1")).toEqual(["jobs.toml t2:j1"]);
    expect(named("t2", "j3")).toEqual(["jobs.toml t2:j3"]);
    expect(named("t2", "invalid")).toEqual([]);
  });

  it("without a job, prefers the phase named by the topic alone, else every phase of the topic", () => {
    expect(named("task1")).toEqual(["f1.toml task1", "f2.toml task1", "f3.toml task1"]);
    expect(named("task2")).toEqual(["f1.toml task2"]);
    expect(phasesNamed(s, "task2")[0]?.dependsOn).toBe("task1");
    expect(named("t2")).toEqual(["jobs.toml t2:j1", "jobs.toml t2:j2", "jobs.toml t2:j3"]);
    expect(named("dup")).toEqual(["f2.toml dup", "jobs.toml dup"]);
    expect(named("t2", "")).toEqual(named("t2"));
  });

  it("finds nothing for a blank or missing name", () => {
    expect(named("")).toEqual([]);
    expect(named("missing")).toEqual([]);
  });
});

describe("cronPhases and filePhases (flowlord's TestTaskMaster_Schedule)", () => {
  it("lists f1's two cron jobs and f3's cron and files phases", () => {
    const cron = cronPhases(s).map((p) => ({
      workflow: p.workflow,
      topic: p.topic,
      job: p.job,
      cron: p.rule.cron?.text,
      offsetMs: p.rule.offsetMs,
      template: p.template,
    }));
    const hourly = { topic: "task1", cron: "0 * * * *", offsetMs: -4 * 3600_000 };
    const template = "?date={yyyy}-{mm}-{dd}T{hh}";
    expect(cron).toEqual([
      { workflow: "f1.toml", job: "t2", ...hourly, template },
      { workflow: "f1.toml", job: "t4", ...hourly, template },
      {
        workflow: "f3.toml",
        topic: "task1",
        job: "",
        cron: "0 0 * * *",
        offsetMs: 0,
        template: "?date={yyyy}-{mm}-{dd}",
      },
      { workflow: "jobs.toml", topic: "worker", job: "parent_job", cron: "0 * * * *", offsetMs: 0, template },
    ]);
    expect(filePhases(s).map((p) => [p.workflow, p.task, p.rule.text, p.rule.files, p.template])).toEqual([
      ["f3.toml", "task3", "files=./folder/*.txt", "./folder/*.txt", "{meta:file}"],
    ]);
  });

  it("reads require from a child's rule", () => {
    expect(findPhase(s, "f1.toml", "task6", "")?.rule.require).toEqual(["file"]);
  });
});
