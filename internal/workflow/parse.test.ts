import { describe, expect, it } from "vitest";
import { formatProblem } from "../errors/index.ts";
import { parseWorkflowFile, subjectFault } from "./parse.ts";

/** The problems of one file, as the user sees them. */
function seen(text: string): string[] {
  return parseWorkflowFile("f.toml", text).problems.map(formatProblem);
}

function phases(text: string) {
  return parseWorkflowFile("f.toml", text).phases;
}

describe("parseWorkflowFile", () => {
  it("reads a phase's fields, name and header line", () => {
    const text = [
      "# two phases",
      "",
      "[[phase]]",
      'task = "task1"',
      'rule = "cron=0 * * * *&offset=-4h&job=t2"',
      "retry = 3",
      'template = "?date={yyyy}-{mm}-{dd}T{hh}"',
      "",
      "  [[ phase ]]",
      'task = "task2:j"',
      'dependsOn = "task1:t2"',
    ].join("\n");
    const [first, second, ...rest] = phases(text);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      workflow: "f.toml",
      index: 0,
      line: 3,
      task: "task1",
      topic: "task1",
      job: "t2",
      key: "task1:t2",
      dependsOn: "",
      parentTopic: "",
      parentJob: "",
      retry: 3,
      template: "?date={yyyy}-{mm}-{dd}T{hh}",
    });
    expect(first?.rule.cron?.text).toBe("0 * * * *");
    expect(first?.rule.offsetMs).toBe(-4 * 3600_000);
    expect(second).toMatchObject({
      index: 1,
      line: 9,
      key: "task2:j",
      parentTopic: "task1",
      parentJob: "t2",
    });
    expect(seen(text)).toEqual([]);
  });

  it("reports a TOML syntax error with its line and column, and no phases", () => {
    const text = '[[phase]]\ntask = "a"\nrule = \n';
    const parsed = parseWorkflowFile("f.toml", text);
    expect(parsed.parsed).toBe(false);
    expect(parsed.phases).toEqual([]);
    expect(parsed.problems.map(formatProblem)).toEqual(["f.toml:3:8: invalid TOML: invalid value"]);
  });

  it("accepts [[Phase]] and the dependsOn spellings DependsOn, dependson and depends_on", () => {
    const text = [
      "[[Phase]]",
      'task = "a"',
      'DependsOn = "p1"',
      "[[Phase]]",
      'task = "b"',
      'depends_on = "p2:j"',
      "[[Phase]]",
      'task = "c"',
      'dependson = "p3"',
      "[[Phase]]",
      'TASK = "d"',
      'Depends_On = "p4"',
    ].join("\n");
    expect(phases(text).map((p) => [p.key, p.line, p.parentTopic, p.parentJob])).toEqual([
      ["a", 1, "p1", ""],
      ["b", 4, "p2", "j"],
      ["c", 7, "p3", ""],
      ["d", 10, "p4", ""],
    ]);
    expect(seen(text)).toEqual([]);
  });

  it("prefers the exact key: phase over Phase, dependsOn over another spelling", () => {
    const text = ['[[Phase]]\ntask = "x"', '[[phase]]\ntask = "a"\ndepends_on = "q"\ndependsOn = "p"'].join(
      "\n",
    );
    expect(phases(text).map((p) => [p.key, p.line, p.dependsOn])).toEqual([["a", 3, "p"]]);
    expect(seen(text)).toEqual([
      'f.toml: warning: Phase: unknown key (did you mean "phase"?); only [[phase]] tables are read',
      'f.toml:3: a: warning: depends_on: also given as "dependsOn"; this one is ignored',
    ]);
  });

  it("warns about an unknown phase key with a suggestion", () => {
    const text = '[[phase]]\ntask = "task2"\ndependOn = "task1"\ncolour = "red"\n';
    expect(seen(text)).toEqual([
      'f.toml:1: task2: warning: dependOn: unknown key (did you mean "dependsOn"?); it is ignored',
      "f.toml:1: task2: warning: colour: unknown key; it is ignored",
    ]);
    expect(phases(text)[0]?.dependsOn).toBe("");
  });

  it("warns about unknown top-level keys and a file without phases", () => {
    expect(seen('title = "x"\n[[phases]]\ntask = "a"\n')).toEqual([
      "f.toml: warning: title: unknown key; only [[phase]] tables are read",
      'f.toml: warning: phases: unknown key (did you mean "phase"?); only [[phase]] tables are read',
      "f.toml: warning: no [[phase]] tables in this file",
    ]);
    expect(seen("")).toEqual(["f.toml: warning: no [[phase]] tables in this file"]);
  });

  it("wants phase to be an array of tables", () => {
    expect(seen('[phase]\ntask = "a"\n')).toEqual([
      "f.toml: phase: must be an array of tables ([[phase]]), got a table",
    ]);
    expect(seen("phase = [1]")).toEqual(["f.toml: phase #1: must be a table, got 1"]);
  });

  it("rejects a retry that is not a whole number >= 0", () => {
    const retry = (value: string) => seen(`[[phase]]\ntask = "a"\nrule = "cron=@daily"\nretry = ${value}\n`);
    expect(retry("1.5")).toEqual(["f.toml:1: a: retry: retry must be a whole number >= 0, got 1.5"]);
    expect(retry("1.0")).toEqual(["f.toml:1: a: retry: retry must be a whole number >= 0, got 1.0"]);
    expect(retry("-1")).toEqual(["f.toml:1: a: retry: retry must be a whole number >= 0, got -1"]);
    expect(retry('"3"')).toEqual(['f.toml:1: a: retry: retry must be a whole number >= 0, got "3"']);
    expect(retry("0")).toEqual([]);
  });

  it("wants strings for task, rule, dependsOn and template", () => {
    const text =
      "[[phase]]\ntask = \"a\"\nrule = 1\ndependsOn = ['x']\ntemplate = true\n[[phase]]\ntask = 5\n";
    expect(seen(text)).toEqual([
      "f.toml:1: a: rule: rule must be a string, got 1",
      "f.toml:1: a: dependsOn: dependsOn must be a string, got an array",
      "f.toml:1: a: template: template must be a string, got true",
      "f.toml:6: phase #2: task: task must be a string, got 5",
    ]);
  });

  it("requires a task, naming the phase by its position", () => {
    const text = '[[phase]]\ntask = "a"\n\n[[phase]]\nrule = "cron=x"\n\n[[phase]]\ntask = ""\n';
    expect(phases(text).map((p) => p.key)).toEqual(["a"]);
    const problems = seen(text);
    expect(problems).toContain("f.toml:4: phase #2: task: task is required");
    expect(problems).toContain("f.toml:7: phase #3: task: task is required");
    // The rule of a phase without a task is still checked, under the same name.
    expect(problems.some((p) => p.startsWith("f.toml:4: phase #2: rule.cron: "))).toBe(true);
  });

  it("rejects a topic that is not a usable NATS subject", () => {
    const bad = (task: string) => seen(`[[phase]]\ntask = "${task}"\nrule = "cron=@daily"\n`);
    expect(bad("my task")).toEqual([
      'f.toml:1: my task: task: topic "my task" is not a usable NATS subject: it contains whitespace',
    ]);
    expect(bad("a.*")).toEqual([
      'f.toml:1: a.*: task: topic "a.*" is not a usable NATS subject: it contains a wildcard ("*" or ">")',
    ]);
    expect(bad("a..b:j")).toEqual([
      'f.toml:1: a..b:j: task: topic "a..b" is not a usable NATS subject: ' +
        'it has an empty token (a leading, trailing or doubled ".")',
    ]);
    expect(bad(":j")).toEqual(['f.toml:1: :j: task: topic "" is not a usable NATS subject: it is empty']);
    expect(bad("orders.eu:daily")).toEqual([]);
  });

  it("rejects a dependsOn topic that is not a usable subject", () => {
    const text = '[[phase]]\ntask = "a"\ndependsOn = "b >"\n';
    expect(seen(text)).toEqual([
      'f.toml:1: a: dependsOn: parent topic "b >" is not a usable NATS subject: it contains whitespace',
    ]);
  });

  it("takes the job from the task, else from the rule's job=, else none", () => {
    const text = [
      '[[phase]]\ntask = "a:x"',
      '[[phase]]\ntask = "b"\nrule = "job=y"',
      '[[phase]]\ntask = "c"',
      '[[phase]]\ntask = "d:"\nrule = "job=z"',
      '[[phase]]\ntask = "e:j:extra"',
    ].join("\n");
    expect(phases(text).map((p) => [p.topic, p.job, p.key])).toEqual([
      ["a", "x", "a:x"],
      ["b", "y", "b:y"],
      ["c", "", "c"],
      ["d", "", "d"],
      ["e", "j", "e:j"],
    ]);
    expect(seen(text)).toEqual([
      'f.toml:8: d: warning: rule.job: job=z is ignored: the task names the job ""',
      'f.toml:11: e:j: warning: task: "e:j:extra" has more than one ":"; the job is "j" and ":extra" is ignored',
    ]);
  });

  it("splits dependsOn like the task, ignoring past a second colon", () => {
    const [phase] = phases('[[phase]]\ntask = "a"\ndependsOn = "p:j:k"\n');
    expect([phase?.parentTopic, phase?.parentJob]).toEqual(["p", "j"]);
  });

  it("maps rule problems to the phase, key and line", () => {
    const text = '\n[[phase]]\ntask = "a"\nrule = "cron=abcdefg&Offset=-4h"\n';
    const problems = parseWorkflowFile("f.toml", text).problems;
    expect(problems.map((p) => [p.severity, p.phase, p.key, p.line])).toEqual([
      ["error", "a", "rule.cron", 2],
      ["warning", "a", "rule.Offset", 2],
    ]);
    expect(problems.map(formatProblem)[1]).toMatch(
      /^f\.toml:2: a: warning: rule\.Offset: .*did you mean "offset"/,
    );
  });
});

describe("subjectFault", () => {
  it("accepts dotted subjects and names what is wrong with others", () => {
    expect(subjectFault("a.b-c_d")).toBeUndefined();
    expect(subjectFault("")).toBe("is empty");
    expect(subjectFault(".a")).toMatch(/empty token/);
    expect(subjectFault("a.")).toMatch(/empty token/);
    expect(subjectFault("a>")).toMatch(/wildcard/);
    expect(subjectFault("a\tb")).toMatch(/whitespace/);
  });
});
