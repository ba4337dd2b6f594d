/** parseRule, key by key: what each param becomes, its default, and the problem a bad value gives. */

import { describe, expect, it } from "vitest";
import { defaultRule, parseRule, ruleKeys } from "./parse.ts";
import type { Rule, RuleProblem } from "./types.ts";

/** The rule, failing the test if anything was reported. */
function clean(text: string): Rule {
  const { rule, problems } = parseRule(text);
  expect(problems).toEqual([]);
  return rule;
}

/** The single problem a rule gives, and the rule it still produced. */
function problemOf(text: string): RuleProblem & { rule: Rule } {
  const { rule, problems } = parseRule(text);
  expect(problems).toHaveLength(1);
  const [problem] = problems;
  if (problem === undefined) throw new Error("no problem");
  return { ...problem, rule };
}

const defaults = defaultRule();

describe("defaults", () => {
  it("an empty rule is valid and fully defaulted", () => {
    const rule = clean("");
    expect(rule).toEqual(defaultRule(""));
    expect(rule).toMatchObject({
      tz: "UTC",
      offsetMs: 0,
      require: [],
      retryDelayMs: 1000,
      retryDelaySet: false,
      backoff: 2,
      retryMaxDelayMs: 3_600_000,
      noAlert: false,
      by: "day",
      catchup: "latest",
      catchupWindowMs: 3_600_000,
      catchupMax: 100,
    });
    for (const absent of ["cron", "job", "files", "forMs", "metaRows", "metaFile"] as const) {
      expect(rule[absent]).toBeUndefined();
    }
  });

  it("keeps the text and every decoded param in written order", () => {
    const rule = clean("job=a&require={meta:x}&require={meta:y}&offset=-4h");
    expect(rule.text).toBe("job=a&require={meta:x}&require={meta:y}&offset=-4h");
    expect([...rule.params]).toEqual([
      ["job", ["a"]],
      ["require", ["{meta:x}", "{meta:y}"]],
      ["offset", ["-4h"]],
    ]);
  });

  it("exports every key it reads", () => {
    expect(ruleKeys).toContain("meta-file");
    expect(ruleKeys).toHaveLength(new Set(ruleKeys).size);
  });
});

describe("durations", () => {
  it.each([
    ["offset=-4h", { offsetMs: -14_400_000 }],
    ["offset=30m", { offsetMs: 1_800_000 }],
    ["retry_delay=10ms", { retryDelayMs: 10, retryDelaySet: true }],
    ["retry_delay=1s", { retryDelayMs: 1000, retryDelaySet: true }],
    ["retry_max_delay=10m", { retryMaxDelayMs: 600_000 }],
    ["for=-48h", { forMs: -172_800_000 }],
    ["for=0", { forMs: 0 }],
    ["catchup_window=6h", { catchupWindowMs: 21_600_000 }],
    ["catchup_window=0s", { catchupWindowMs: 0 }],
  ])("%s", (text, expected) => {
    expect(clean(text)).toMatchObject(expected);
  });

  it.each([
    ["offset=-4", "rule.offset", 'invalid duration "-4"; write a Go duration such as 90s, 1h30m or -4h'],
    ["offset=1d", "rule.offset", 'invalid duration "1d"'],
    ["for=2 days", "rule.for", 'invalid duration "2 days"'],
    ["retry_delay=0s", "rule.retry_delay", "retry_delay must be more than 0s, not 0s"],
    ["retry_delay=-1s", "rule.retry_delay", "retry_delay must be more than 0s, not -1s"],
    ["retry_max_delay=0", "rule.retry_max_delay", "retry_max_delay must be more than 0s"],
    ["catchup_window=-1h", "rule.catchup_window", "catchup_window must be 0s or more, not -1h"],
  ])("%s is an error", (text, key, message) => {
    const problem = problemOf(text);
    expect(problem).toMatchObject({ severity: "error", key });
    expect(problem.message).toContain(message);
    expect(problem.rule).toMatchObject({
      offsetMs: defaults.offsetMs,
      retryDelayMs: defaults.retryDelayMs,
      retryDelaySet: false,
      retryMaxDelayMs: defaults.retryMaxDelayMs,
      catchupWindowMs: defaults.catchupWindowMs,
    });
    expect(problem.rule.forMs).toBeUndefined();
  });
});

describe("cron", () => {
  it("keeps the normalised spec", () => {
    expect(clean("cron=0 * * * *").cron).toEqual({ text: "0 * * * *", expression: "0 0 * * * *" });
    expect(clean("cron=@every+90s").cron).toEqual({ text: "@every 90s", expression: "", everyMs: 90_000 });
  });

  it("reports a bad spec with the reason, and leaves cron unset", () => {
    const problem = problemOf("cron=61 * * * *");
    expect(problem).toMatchObject({ severity: "error", key: "rule.cron" });
    expect(problem.message).toMatch(/^invalid cron "61 \* \* \* \*": .*0-59/);
    expect(problem.rule.cron).toBeUndefined();
  });
});

describe("strings", () => {
  it("reads job, files and meta-file", () => {
    expect(clean("job=load&files=gs://b/*/*.txt&meta-file=rows.json")).toMatchObject({
      job: "load",
      files: "gs://b/*/*.txt",
      metaFile: "rows.json",
    });
  });

  it.each([
    ["job=two+words", "rule.job", 'job "two words" must not contain whitespace'],
    ["files=data/[abc", "rule.files", 'invalid glob "data/[abc": unclosed "[" at position 6'],
  ])("%s is an error", (text, key, message) => {
    const problem = problemOf(text);
    expect(problem).toMatchObject({ severity: "error", key, message });
    expect(problem.rule.job).toBeUndefined();
    expect(problem.rule.files).toBeUndefined();
  });

  it.each(["job=", "files=", "cron=", "offset=", "meta="])("%s (empty) is ignored with a warning", (text) => {
    const problem = problemOf(text);
    expect(problem).toMatchObject({ severity: "warning", message: expect.stringContaining("is empty") });
    expect(problem.rule).toEqual({ ...defaultRule(text), params: problem.rule.params });
  });

  it("uses the first of repeated values and says so", () => {
    const problem = problemOf("job=a&job=b");
    expect(problem).toMatchObject({
      severity: "warning",
      key: "rule.job",
      message: "job is given 2 times; using the first",
    });
    expect(problem.rule.job).toBe("a");
  });
});

describe("require", () => {
  it.each([
    ["require={meta:file}", ["file"]],
    ["require={meta:file}&require={meta:time}", ["file", "time"]],
    ["require={meta:file},{meta:time}", ["file", "time"]],
    ["require={meta:a}{meta:b}", ["a", "b"]],
    ["require={meta:a},{meta:b}&require={meta:a}", ["a", "b"]],
    ["require=%7Bmeta%3Afile%7D", ["file"]],
  ])("%s → %j", (text, keys) => {
    expect(clean(text).require).toEqual(keys);
  });

  it("warns about values that name no {meta:key}, as flowlord ignored them", () => {
    const { rule, problems } = parseRule("require={meta:file},time&require={meta:da ta}");
    expect(rule.require).toEqual(["file"]);
    expect(problems).toEqual([
      {
        severity: "warning",
        key: "rule.require",
        message: 'require value "time" names no {meta:key} and is ignored; write require={meta:time}',
      },
      {
        severity: "warning",
        key: "rule.require",
        message: 'require value "{meta:da ta}" names no {meta:key} and is ignored; write require={meta:key}',
      },
    ]);
  });

  it("points README's require:{meta:file} to require={meta:file}", () => {
    const problem = problemOf("require:{meta:file}");
    expect(problem).toMatchObject({
      severity: "warning",
      key: "rule.require:{meta:file}",
      message: 'unknown rule key "require:{meta:file}"; did you mean "require={meta:file}"?',
    });
    expect(problem.rule.require).toEqual([]);
  });
});

describe("no_alert", () => {
  it.each([
    ["no_alert", true],
    ["no_alert=", true],
    ["no_alert=true", true],
    ["no_alert=yes", true],
    ["no_alert=1", true],
    ["no_alert=false", false],
    ["no_alert=FALSE", false],
    ["no_alert=0", false],
    ["no_alert=no", false],
    ["", false],
  ])("%j → %s", (text, noAlert) => {
    expect(clean(text).noAlert).toBe(noAlert);
  });
});

describe("by", () => {
  it.each([
    ["by=hour", "hour"],
    ["by=hourly", "hour"],
    ["by=HOUR", "hour"],
    ["by=day", "day"],
    ["by=Daily", "day"],
    ["by=week", "week"],
    ["by=weekly", "week"],
    ["by=month", "month"],
    ["by=MONTHLY", "month"],
  ])("%s → %s", (text, by) => {
    expect(clean(text).by).toBe(by);
  });

  it("falls back to day with a warning, as flowlord did silently", () => {
    const problem = problemOf("by=x");
    expect(problem).toMatchObject({ severity: "warning", key: "rule.by" });
    expect(problem.message).toContain('unknown step "x"; using day');
    expect(problem.rule.by).toBe("day");
  });
});

describe("meta", () => {
  const rows = (text: string) => clean(text).metaRows?.map((row) => Object.fromEntries(row));

  it.each([
    [
      "meta=name:a,b,c|value:1,2,3",
      [
        { name: "a", value: "1" },
        { name: "b", value: "2" },
        { name: "c", value: "3" },
      ],
    ],
    ["meta=key:value", [{ key: "value" }]],
    ["meta=k:a:b,c", [{ k: "a:b" }, { k: "c" }]],
    ["meta=k:", [{ k: "" }]],
    ["meta=a:1,2|", [{ a: "1" }, { a: "2" }]],
  ])("%s", (text, expected) => {
    expect(rows(text)).toEqual(expected);
  });

  it("keeps keys in written order in every row", () => {
    const [row] = clean("meta=z:1|a:2|m:3").metaRows ?? [];
    expect([...(row?.keys() ?? [])]).toEqual(["z", "a", "m"]);
  });

  it.each([
    ["meta=name:a,b|value:1", "inconsistent lengths in meta: name has 2 values, value has 1"],
    ["meta=name:a,b|value", 'meta entry "value" has no ":"'],
    ["meta=:a,b", "has no key"],
    ["meta=a:1|a:2", 'meta key "a" is given twice'],
  ])("%s is an error", (text, message) => {
    const problem = problemOf(text);
    expect(problem).toMatchObject({ severity: "error", key: "rule.meta" });
    expect(problem.message).toContain(message);
    expect(problem.rule.metaRows).toBeUndefined();
  });

  it("refuses meta with meta-file, under meta-file, keeping meta", () => {
    const problem = problemOf("meta=name:a,b&meta-file=test.json");
    expect(problem).toMatchObject({
      severity: "error",
      key: "rule.meta-file",
      message: "meta and meta-file can not be used at the same time",
    });
    expect(problem.rule.metaRows).toHaveLength(2);
    expect(problem.rule.metaFile).toBeUndefined();
  });
});

describe("tz, catchup, backoff, count", () => {
  it.each([
    ["tz=America/New_York", { tz: "America/New_York" }],
    ["tz=UTC", { tz: "UTC" }],
    ["catchup=all", { catchup: "all" }],
    ["catchup=none", { catchup: "none" }],
    ["catchup=Latest", { catchup: "latest" }],
    ["catchup_max=1", { catchupMax: 1 }],
    ["catchup_max=500", { catchupMax: 500 }],
    ["backoff=1", { backoff: 1 }],
    ["backoff=1.5", { backoff: 1.5 }],
    ["backoff=3", { backoff: 3 }],
  ])("%s", (text, expected) => {
    expect(clean(text)).toMatchObject(expected);
  });

  it.each([
    ["tz=Mars/Olympus", "rule.tz", 'unknown time zone "Mars/Olympus"'],
    ["catchup=some", "rule.catchup", 'catchup must be latest, all or none, not "some"'],
    ["catchup_max=0", "rule.catchup_max", 'catchup_max must be a whole number >= 1, not "0"'],
    ["catchup_max=1.5", "rule.catchup_max", "whole number"],
    ["catchup_max=-3", "rule.catchup_max", "whole number"],
    [
      "backoff=0.5",
      "rule.backoff",
      'backoff must be a number >= 1 (1 keeps the delay constant, 2 doubles it), not "0.5"',
    ],
    ["backoff=two", "rule.backoff", "backoff must be a number >= 1"],
    ["backoff=1e3", "rule.backoff", "backoff must be a number >= 1"],
    ["backoff=Infinity", "rule.backoff", "backoff must be a number >= 1"],
  ])("%s is an error", (text, key, message) => {
    const problem = problemOf(text);
    expect(problem).toMatchObject({ severity: "error", key });
    expect(problem.message).toContain(message);
    expect(problem.rule).toMatchObject({ tz: "UTC", catchup: "latest", catchupMax: 100, backoff: 2 });
  });

  it("accepts count, as flowlord did, with a warning that it does nothing", () => {
    expect(problemOf("count=3")).toMatchObject({
      severity: "warning",
      key: "rule.count",
      message: "count is not used",
    });
  });
});

describe("unknown keys", () => {
  it.each([
    ["Offset=-6h", 'unknown rule key "Offset"; did you mean "offset"? (rule keys are case-sensitive)'],
    ["meta_file=x.json", 'unknown rule key "meta_file"; did you mean "meta-file"?'],
    ["retrydelay=1s", 'unknown rule key "retrydelay"; did you mean "retry_delay"?'],
    ["Template=x", 'unknown rule key "Template"'],
    ["Job=j", 'unknown rule key "Job"; did you mean "job"? (rule keys are case-sensitive)'],
    ["offset:-4h", 'unknown rule key "offset:-4h"; did you mean "offset=-4h"?'],
    ["=value", 'unknown rule key ""'],
  ])("%s", (text, message) => {
    const problem = problemOf(text);
    expect(problem).toMatchObject({ severity: "warning", message });
    expect(problem.rule).toEqual({ ...defaultRule(text), params: problem.rule.params });
  });
});
