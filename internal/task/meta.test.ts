import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeMeta, parseMeta, withMeta } from "./meta.ts";

const entries = (text: string) => [...parseMeta(text)];

describe("parseMeta", () => {
  it("reads flowlord's unescaped form literally", () => {
    expect(entries("file=gs://bucket/path/file.txt&filename=file.txt&workflow=basic.toml")).toEqual([
      ["file", "gs://bucket/path/file.txt"],
      ["filename", "file.txt"],
      ["workflow", "basic.toml"],
    ]);
    expect(entries("tz=+07:00&pass=r$kE43")).toEqual([
      ["tz", "+07:00"],
      ["pass", "r$kE43"],
    ]);
  });

  it("reads flowlord's escaped form (url.Values.Encode)", () => {
    expect(entries("delayed=10.5ms&file=gs%3A%2F%2Fb%2Fx+y.txt&retry=1")).toEqual([
      ["delayed", "10.5ms"],
      ["file", "gs://b/x y.txt"],
      ["retry", "1"],
    ]);
  });

  it("keeps the first of repeated keys, skips empty pairs and reads a bare key as empty", () => {
    expect(entries("a=1&&a=2&b")).toEqual([
      ["a", "1"],
      ["b", ""],
    ]);
  });

  it("keeps a malformed escape as written", () => {
    expect(entries("a=%41%zz&b=%")).toEqual([
      ["a", "A%zz"],
      ["b", "%"],
    ]);
  });

  it("gives an empty map for missing meta", () => {
    expect(parseMeta(undefined).size).toBe(0);
    expect(parseMeta("").size).toBe(0);
  });

  it("cuts any text as a split at & and then at each pair's first = would", () => {
    // The model: pairs split at "&", key and value at the pair's first "=", the first of a key kept; unescaped only
    // (no %XX in the text), so every character is literal.
    const model = (text: string) => {
      const meta = new Map<string, string>();
      for (const pair of text.split("&")) {
        const eq = pair.indexOf("=");
        const key = eq < 0 ? pair : pair.slice(0, eq);
        if (key !== "" && !meta.has(key)) meta.set(key, eq < 0 ? "" : pair.slice(eq + 1));
      }
      return [...meta];
    };
    const text = fc.string({ unit: fc.constantFrom("a", "b", "&", "=", "+", " ", "%") });
    fc.assert(
      fc.property(text, (t) => {
        if (/%[0-9A-Fa-f]{2}/.test(t)) return;
        expect(entries(t)).toEqual(model(t));
      }),
      { numRuns: 2000 },
    );
    expect(entries("=x&a==b&&c=&d")).toEqual([
      ["a", "=b"],
      ["c", ""],
      ["d", ""],
    ]);
  });
});

describe("encodeMeta", () => {
  it("sorts keys as url.Values.Encode does", () => {
    const meta = new Map([
      ["workflow", "batch.toml"],
      ["value", "1"],
      ["cron", "2024-01-15T00"],
      ["name", "a"],
    ]);
    expect(encodeMeta(meta)).toBe("cron=2024-01-15T00&name=a&value=1&workflow=batch.toml");
  });

  it("leaves URLs readable and escapes only what would break parsing", () => {
    const meta = new Map([
      ["file", "gs://b/p/x.txt"],
      ["q", "a&b=c d+e%#"],
    ]);
    expect(encodeMeta(meta)).toBe("file=gs://b/p/x.txt&q=a%26b%3Dc%20d%2Be%25%23");
  });

  it("round-trips any meta through parseMeta", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (record) => {
        const meta = new Map(Object.entries(record));
        expect(parseMeta(encodeMeta(meta))).toEqual(meta);
      }),
    );
  });

  it("is read back by the WHATWG query parser too", () => {
    const meta = new Map([["q", "a&b=c d+e%#"]]);
    expect(new URLSearchParams(encodeMeta(meta)).get("q")).toBe("a&b=c d+e%#");
  });
});

describe("withMeta", () => {
  it("sets and removes keys without touching the original", () => {
    const meta = new Map([
      ["a", "1"],
      ["b", "2"],
    ]);
    const next = withMeta(meta, { a: "9", b: undefined, c: "3" });
    expect([...next]).toEqual([
      ["a", "9"],
      ["c", "3"],
    ]);
    expect(meta.get("b")).toBe("2");
  });
});
