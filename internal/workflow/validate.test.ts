import { describe, expect, it } from "vitest";
import { formatProblem } from "../errors/index.ts";
import { findCycles } from "./graph.ts";
import { parseWorkflowFile } from "./parse.ts";
import type { Phase } from "./types.ts";
import { validateWorkflow } from "./validate.ts";

/** Phases written compactly, one TOML table per entry, each starting on its own line. */
function file(...tables: Record<string, string>[]): string {
  return tables
    .map((t) => ["[[phase]]", ...Object.entries(t).map(([k, v]) => `${k} = ${JSON.stringify(v)}`)].join("\n"))
    .join("\n");
}

function parsed(text: string): Phase[] {
  const result = parseWorkflowFile("w.toml", text);
  expect(result.problems.map(formatProblem)).toEqual([]);
  return result.phases;
}

function validated(text: string): string[] {
  return validateWorkflow("w.toml", parsed(text)).map(formatProblem);
}

const CRON = "cron=0 * * * *";

describe("validateWorkflow", () => {
  it("finds nothing wrong in a cron parent with children", () => {
    const text = file(
      { task: "a", rule: CRON },
      { task: "b", dependsOn: "a" },
      { task: "c:j", dependsOn: "b", rule: "cron=@daily" },
    );
    expect(validated(text)).toEqual([]);
  });

  it("reports the same phase twice on the second, naming the first's line", () => {
    const text = file(
      { task: "a", rule: CRON },
      { task: "b", rule: CRON },
      { task: "a", rule: "cron=@daily" },
    );
    expect(validated(text)).toEqual(['w.toml:7: a: task: duplicate phase "a", first defined at line 1']);
  });

  it("counts a job from the rule in the phase's name", () => {
    const text = file(
      { task: "a:x", rule: CRON },
      { task: "a", rule: `${CRON}&job=x` },
      { task: "a", rule: CRON },
    );
    expect(validated(text)).toEqual(['w.toml:4: a:x: task: duplicate phase "a:x", first defined at line 1']);
  });

  it("warns about a parent that is not in the file", () => {
    const text = file(
      { task: "a", rule: CRON },
      { task: "b", dependsOn: "a:j" },
      { task: "c", dependsOn: "zz" },
    );
    expect(validated(text)).toEqual([
      'w.toml:4: b: warning: dependsOn: parent "a:j" not found in w.toml; this phase only runs by backload',
      'w.toml:7: c: warning: dependsOn: parent "zz" not found in w.toml; this phase only runs by backload',
    ]);
  });

  it("says what still triggers a phase whose parent is missing", () => {
    const text = file({ task: "b", dependsOn: "gone", rule: CRON });
    expect(validated(text)).toEqual([
      'w.toml:1: b: warning: dependsOn: parent "gone" not found in w.toml; dependsOn never triggers this phase',
    ]);
  });

  it("matches a parent by topic alone, or by topic and job", () => {
    const text = file(
      { task: "a:x", rule: CRON },
      { task: "a:y", rule: CRON },
      { task: "b", dependsOn: "a" },
      { task: "c", dependsOn: "a:y" },
    );
    expect(validated(text)).toEqual([]);
  });

  it("reports a dependsOn cycle once, in trigger order", () => {
    const text = file(
      { task: "a", dependsOn: "b" },
      { task: "b", dependsOn: "a" },
      { task: "c", dependsOn: "b" },
    );
    expect(validated(text)).toEqual([
      "w.toml:1: a: dependsOn: dependsOn cycle a → b → a: these phases would trigger each other forever",
    ]);
  });

  it("reports a phase that triggers itself, and each separate cycle", () => {
    const text = file(
      { task: "s:x", dependsOn: "s" },
      { task: "p", dependsOn: "r" },
      { task: "q", dependsOn: "p" },
      { task: "r", dependsOn: "q" },
    );
    expect(validated(text)).toEqual([
      "w.toml:1: s:x: dependsOn: dependsOn cycle s:x → s:x: these phases would trigger each other forever",
      "w.toml:4: p: dependsOn: dependsOn cycle p → q → r → p: these phases would trigger each other forever",
    ]);
  });

  it("warns about a phase nothing triggers", () => {
    const text = file({ task: "a", template: "?x=1" }, { task: "b", rule: "files=/in/*.csv" });
    expect(validated(text)).toEqual([
      "w.toml:1: a: warning: non-scheduled phase: use dependsOn, cron or files (it only runs by backload)",
    ]);
  });
});

describe("meta supply", () => {
  const childWarning = (line: number, phase: string, key: string) =>
    `w.toml:${line}: ${phase}: warning: template: {meta:${key}} is used, but nothing supplies it to this ` +
    `phase (only a worker could; add require={meta:${key}} to skip the child when it is missing)`;

  it("warns when a child's parent is a cron phase without the key", () => {
    const text = file(
      { task: "a", rule: CRON },
      { task: "b", dependsOn: "a", template: "{meta:file}?c={meta:cron}" },
    );
    expect(validated(text)).toEqual([childWarning(4, "b", "file")]);
  });

  it("takes require, the child's own meta rows or meta-file as a supply", () => {
    const text = file(
      { task: "a", rule: CRON },
      { task: "b", dependsOn: "a", rule: "require={meta:file}", template: "{meta:file}" },
      { task: "c", dependsOn: "a", rule: "meta=k:1,2", template: "{meta:k}" },
      { task: "d", dependsOn: "a", rule: "meta-file=rows.json", template: "{meta:anything}" },
    );
    expect(validated(text)).toEqual([]);
  });

  it("knows what a files parent and a batch parent put in their tasks' meta", () => {
    const text = file(
      { task: "f", rule: "files=/in/*.txt&by=day" },
      { task: "f2", dependsOn: "f", template: "{meta:file} {meta:filename} {meta:by} {meta:files}" },
      { task: "m", rule: `${CRON}&meta=region:eu,us`, template: "?r={meta:region}" },
      { task: "m2", dependsOn: "m", template: "{meta:region}" },
      { task: "n", rule: `${CRON}&meta-file=rows.json`, template: "?s={meta:store}" },
      { task: "n2", dependsOn: "n", template: "{meta:store} {meta:other}" },
    );
    expect(validated(text)).toEqual([childWarning(20, "n2", "other")]);
  });

  it("does not pass a grandparent's meta through a child", () => {
    const text = file(
      { task: "f", rule: "files=/in/*.txt" },
      { task: "g", dependsOn: "f", template: "{meta:file}" },
      { task: "h", dependsOn: "g", template: "{meta:file}" },
    );
    expect(validated(text)).toEqual([childWarning(8, "h", "file")]);
  });

  it("is satisfied when any trigger supplies the key", () => {
    const text = file(
      { task: "f", rule: "files=/in/*.txt" },
      { task: "a", rule: CRON },
      { task: "g", dependsOn: "f" },
      { task: "g:2", dependsOn: "a", rule: "files=/x/*", template: "{meta:file}" },
    );
    expect(validated(text)).toEqual([]);
  });

  it("checks cron and files phases against their own triggers", () => {
    const text = file(
      { task: "a", rule: CRON, template: "{meta:name}" },
      { task: "b", rule: `${CRON}&meta=name:x`, template: "{meta:name}" },
      { task: "c", rule: `${CRON}&meta-file=x.csv`, template: "{meta:whatever}" },
      {
        task: "d",
        rule: "files=/in/*&by=day",
        template: "{meta:file}{meta:filename}{meta:workflow}{meta:by}{meta:x}",
      },
    );
    expect(validated(text)).toEqual([
      'w.toml:1: a: warning: template: {meta:name} is used, but nothing supplies it to this phase; it renders as ""',
      'w.toml:13: d: warning: template: {meta:x} is used, but nothing supplies it to this phase; it renders as ""',
    ]);
  });

  it("leaves phases only backload runs alone (their request may carry any meta)", () => {
    const text = file({ task: "a", template: "{meta:k}" });
    expect(validated(text)).toEqual([
      "w.toml:1: a: warning: non-scheduled phase: use dependsOn, cron or files (it only runs by backload)",
    ]);
  });
});

describe("findCycles", () => {
  it("handles a long chain without recursion", () => {
    const tables = Array.from({ length: 2000 }, (_, i) => ({ task: `t${i}`, dependsOn: `t${i + 1}` }));
    const phases = parsed(file(...tables, { task: "t2000", dependsOn: "t0" }));
    const [cycle, ...more] = findCycles(phases);
    expect(more).toEqual([]);
    expect(cycle?.length).toBe(2002);
    expect(cycle?.[0]?.key).toBe("t0");
  });
});
