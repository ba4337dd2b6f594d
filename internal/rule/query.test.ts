/** The Go-compatible query reader: splitting, decoding, and the inputs Go refuses. */

import { describe, expect, it } from "vitest";
import { groupEntries, parseQuery, unescapeQueryComponent } from "./query.ts";

function entries(query: string): readonly (readonly [string, string])[] {
  const result = parseQuery(query);
  if ("error" in result) throw new Error(result.error);
  return result.entries;
}

function error(query: string): string | undefined {
  const result = parseQuery(query);
  return "error" in result ? result.error : undefined;
}

describe("parseQuery", () => {
  it.each([
    ["", []],
    ["a=1", [["a", "1"]]],
    [
      "a=1&b=2&a=3",
      [
        ["a", "1"],
        ["b", "2"],
        ["a", "3"],
      ],
    ],
    ["a", [["a", ""]]],
    ["a=", [["a", ""]]],
    ["=v", [["", "v"]]],
    ["a=b=c", [["a", "b=c"]]],
    [
      "a=1&&b=2&",
      [
        ["a", "1"],
        ["b", "2"],
      ],
    ],
    ["cron=0+*+*+*+*", [["cron", "0 * * * *"]]],
    ["cron=0 * * * *", [["cron", "0 * * * *"]]],
    ["k%20ey=v%2Bal%26ue%3D", [["k ey", "v+al&ue="]]],
    ["semi=%3B", [["semi", ";"]]],
    ["utf=%C3%A9t%C3%A9", [["utf", "été"]]],
    ["mixed=%C3%A9+é", [["mixed", "é é"]]],
    ["bad=%ff", [["bad", "\uFFFD"]]],
    ["require={meta:file}", [["require", "{meta:file}"]]],
  ])("%j", (query, expected) => {
    expect(entries(query)).toEqual(expected);
  });

  it.each([
    ["a=%zz", 'invalid escape "%zz" at position 3'],
    ["a=%", 'invalid escape "%" at position 3'],
    ["a=%4", 'invalid escape "%4" at position 3'],
    ["%notvalid=%%%", 'invalid escape "%no" at position 1'],
    ["a=1&b=%g0", 'invalid escape "%g0" at position 7'],
    ["a=1;b=2", '";" at position 4 is not a separator'],
    ['a;lskdfj?%$`?"^', '";" at position 2 is not a separator'],
  ])("%j is refused: %s", (query, message) => {
    expect(error(query)).toBe(message.includes("separator") ? `${message} (use "&", or "%3B")` : message);
  });
});

describe("unescapeQueryComponent", () => {
  it("turns + into a space but keeps an escaped plus", () => {
    expect(unescapeQueryComponent("a+b%2Bc")).toEqual({ value: "a b+c" });
  });
});

describe("groupEntries", () => {
  it("keeps first-appearance key order and every value of a repeated key", () => {
    const params = groupEntries([
      ["b", "1"],
      ["a", "2"],
      ["b", "3"],
    ]);
    expect([...params]).toEqual([
      ["b", ["1", "3"]],
      ["a", ["2"]],
    ]);
  });
});
