/** Edit distance and the "did you mean" choice shared with the workflow module. */

import { describe, expect, it } from "vitest";
import { ruleKeys } from "./parse.ts";
import { editDistance, nearest } from "./suggest.ts";

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
    ["offset", "offset", 0],
    ["retyr", "retry", 1],
    ["ca", "abc", 3],
    ["retrydelay", "retry_delay", 1],
  ])("%j ↔ %j = %d", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe("nearest", () => {
  it.each([
    ["Offset", "offset"],
    ["OFFSET", "offset"],
    ["meta_file", "meta-file"],
    ["Meta-File", "meta-file"],
    ["retrydelay", "retry_delay"],
    ["retry-delay", "retry_delay"],
    ["retry_dealy", "retry_delay"],
    ["crn", "cron"],
    ["cronn", "cron"],
    ["fils", "files"],
    ["requires", "require"],
    ["noalert", "no_alert"],
    ["Job", "job"],
    ["timezone", undefined],
    ["x", undefined],
    ["zz", "tz"],
    ["qq", undefined],
    ["schedule", undefined],
    ["", undefined],
  ])("%j → %j", (word, expected) => {
    expect(nearest(word, ruleKeys)).toBe(expected);
  });

  it("prefers the earlier candidate on a tie, and returns nothing from no candidates", () => {
    expect(nearest("ab", ["ax", "ay"])).toBe("ax");
    expect(nearest("ab", [])).toBeUndefined();
  });
});
