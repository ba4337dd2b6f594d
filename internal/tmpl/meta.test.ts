import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fillMeta, metaKeys } from "./meta.ts";

const from = (entries: Record<string, string>) => (key: string) => entries[key];

describe("fillMeta: flowlord TestParseMeta", () => {
  it.each([
    ["{meta:file}", { file: "s3://path/to/file.txt" }, "s3://path/to/file.txt", ["file"]],
    ["{meta:file}", {}, "", ["file"]],
    ["this is a plain sentence", {}, "this is a plain sentence", []],
    ["{meta:da ta}", { "da ta": "x" }, "{meta:da ta}", []],
    [
      "{meta:file}?hour={meta:time}&key=value&pass={meta:pass}",
      { file: "gs://bucket/test.gz", time: "2019-03-04", pass: "r$kE43" },
      "gs://bucket/test.gz?hour=2019-03-04&key=value&pass=r$kE43",
      ["file", "time", "pass"],
    ],
    ["{meta:name}&{meta:v}", { name: "john", v: "123" }, "john&123", ["name", "v"]],
  ])("%s", (template, data, text, keys) => {
    expect(fillMeta(template, from(data))).toEqual({ text, keys });
    expect(metaKeys(template)).toEqual(keys);
  });
});

describe("fillMeta", () => {
  it("lists a repeated key once, in order of first appearance, and fills every occurrence", () => {
    expect(fillMeta("{meta:b}/{meta:a}/{meta:b}", from({ a: "1", b: "2" }))).toEqual({
      text: "2/1/2",
      keys: ["b", "a"],
    });
  });

  it("fills the same template again with each call's own values", () => {
    const template = "{meta:a}-{meta:b}";
    expect(fillMeta(template, from({ a: "1", b: "2" })).text).toBe("1-2");
    expect(fillMeta(template, from({ a: "3" })).text).toBe("3-");
    expect(fillMeta(template, from({ b: "4" }))).toEqual({ text: "-4", keys: ["a", "b"] });
  });

  it("fills after a # too", () => {
    expect(fillMeta("x#{meta:a}", from({ a: "1" })).text).toBe("x#1");
  });

  it("takes \\w keys only: ASCII letters, digits and _", () => {
    expect(metaKeys("{meta:a_1}{meta:A9}{meta:é}{meta:a-b}{meta:}{META:a}{meta:a.b}")).toEqual(["a_1", "A9"]);
  });

  it("inserts values literally, with no replacement patterns", () => {
    expect(fillMeta("{meta:a}", from({ a: "$&$1$$" })).text).toBe("$&$1$$");
  });

  it("does not rescan inserted values", () => {
    expect(fillMeta("{meta:a}", from({ a: "{meta:b}", b: "no" }))).toEqual({ text: "{meta:b}", keys: ["a"] });
  });

  it("never throws and leaves a template without {meta: unchanged", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (template, value) => {
        const { text, keys } = fillMeta(template, () => value);
        if (!template.includes("{meta:")) {
          expect(text).toBe(template);
          expect(keys).toEqual([]);
        }
        expect(metaKeys(template)).toEqual(keys);
      }),
    );
  });
});
