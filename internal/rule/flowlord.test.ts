/**
 * Flowlord's own test cases for rules (Test_NewJob, TestIsReady, TestValidatePhase; reference §10.3–10.4),
 * replayed against parseRule, plus the promises flowlord never made: every problem at once, and no throw.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRule } from "./parse.ts";
import type { ParsedRule } from "./types.ts";

const errors = (parsed: ParsedRule) => parsed.problems.filter((problem) => problem.severity === "error");

describe("Test_NewJob", () => {
  const cron = "cron=15 35 13 * * *";

  it("cron with offset", () => {
    const { rule, problems } = parseRule(`${cron}&offset=-24h`);
    expect(problems).toEqual([]);
    expect(rule.cron?.expression).toBe("15 35 13 * * *");
    expect(rule.offsetMs).toBe(-24 * 3_600_000);
  });

  it("bad cron", () => {
    expect(errors(parseRule("cron=badcron"))).toMatchObject([{ key: "rule.cron" }]);
  });

  it("5-field cron", () => {
    const { rule, problems } = parseRule("cron=35 13 * * *");
    expect(problems).toEqual([]);
    expect(rule.cron?.expression).toBe("0 35 13 * * *");
  });

  it("meta gives one row per value", () => {
    const { rule, problems } = parseRule(`${cron}&meta=name:a,b,c|value:1,2,3`);
    expect(problems).toEqual([]);
    expect(rule.metaRows?.map((row) => Object.fromEntries(row))).toEqual([
      { name: "a", value: "1" },
      { name: "b", value: "2" },
      { name: "c", value: "3" },
    ]);
  });

  it("meta-file is kept, not read", () => {
    expect(parseRule(`${cron}&meta-file=test.json`)).toMatchObject({
      rule: { metaFile: "test.json" },
      problems: [],
    });
  });

  it("for with meta, and for with meta-file", () => {
    const withMeta = parseRule(`${cron}&for=-48h&meta=name:a,b`);
    expect(withMeta.problems).toEqual([]);
    expect(withMeta.rule.forMs).toBe(-48 * 3_600_000);
    expect(withMeta.rule.metaRows).toHaveLength(2);
    const withFile = parseRule(`${cron}&for=-48h&meta-file=test.json`);
    expect(withFile).toMatchObject({ rule: { forMs: -48 * 3_600_000, metaFile: "test.json" }, problems: [] });
  });

  it("meta with meta-file is an error", () => {
    expect(errors(parseRule(`${cron}&meta=name:a,b&meta-file=test.json`))).toEqual([
      {
        severity: "error",
        key: "rule.meta-file",
        message: "meta and meta-file can not be used at the same time",
      },
    ]);
  });

  it("for with by=hour", () => {
    expect(parseRule(`${cron}&for=-48h&by=hour`)).toMatchObject({
      rule: { forMs: -48 * 3_600_000, by: "hour" },
      problems: [],
    });
  });

  it("an unparseable query is an error and leaves every default", () => {
    const { rule, problems } = parseRule("%notvalid=%%%");
    expect(problems).toEqual([
      { severity: "error", key: "rule", message: 'invalid rule format: invalid escape "%no" at position 1' },
    ]);
    expect(rule.params.size).toBe(0);
    expect(rule.text).toBe("%notvalid=%%%");
  });
});

describe("TestIsReady's require forms", () => {
  it.each([
    ["", []],
    ["require={meta:file}", ["file"]],
    ["require={meta:file}&require={meta:time}", ["file", "time"]],
    ["require={meta:file},{meta:time}", ["file", "time"]],
  ])("%j requires %j", (text, keys) => {
    expect(parseRule(text)).toMatchObject({ rule: { require: keys }, problems: [] });
  });
});

describe("TestValidatePhase's rules", () => {
  it.each([
    ["files=s3:/bucket/path/*/*.txt", true],
    ["cron=abcdefg", false],
    ["cron=1 2 3 4 5", true],
    ["cron=1 2 3 4 5 6", true],
    ["cron=20 */6 * * SUN", true],
    ['a;lskdfj?%$`?"^', false],
  ])("%j valid: %s", (text, valid) => {
    expect(errors(parseRule(text)).length === 0).toBe(valid);
  });

  it("names the cron problem and the format problem as flowlord did", () => {
    expect(errors(parseRule("cron=abcdefg"))[0]?.message).toMatch(/^invalid cron "abcdefg": /);
    expect(errors(parseRule('a;lskdfj?%$`?"^'))[0]?.message).toMatch(/^invalid rule format: /);
  });
});

describe("every problem at once", () => {
  it("reports three bad params as three problems, and keeps the good ones", () => {
    const { rule, problems } = parseRule("cron=badcron&offset=4&job=x&tz=Nowhere/City&retry_delay=5s");
    expect(problems.map((problem) => [problem.severity, problem.key])).toEqual([
      ["error", "rule.cron"],
      ["error", "rule.offset"],
      ["error", "rule.tz"],
    ]);
    expect(rule).toMatchObject({ job: "x", retryDelayMs: 5000, offsetMs: 0, tz: "UTC" });
    expect(rule.cron).toBeUndefined();
  });

  it("mixes warnings and errors in written order", () => {
    const { problems } = parseRule("Offset=-6h&by=fortnight&backoff=0&count=2");
    expect(problems.map((problem) => [problem.severity, problem.key])).toEqual([
      ["warning", "rule.Offset"],
      ["warning", "rule.by"],
      ["error", "rule.backoff"],
      ["warning", "rule.count"],
    ]);
  });
});

describe("robustness", () => {
  it("never throws, and always returns a usable rule", () => {
    const ruleText = fc.oneof(
      fc.string(),
      fc.string({ unit: "binary" }),
      fc
        .array(
          fc.tuple(fc.constantFrom("cron", "offset", "meta", "require", "files", "by", "x"), fc.string()),
        )
        .map((pairs) => pairs.map(([key, value]) => `${key}=${value}`).join("&")),
    );
    fc.assert(
      fc.property(ruleText, (text) => {
        const { rule, problems } = parseRule(text);
        expect(rule.text).toBe(text);
        expect(typeof rule.retryDelayMs).toBe("number");
        for (const problem of problems) expect(problem.key).toMatch(/^rule(\.|$)/);
      }),
    );
  });
});
