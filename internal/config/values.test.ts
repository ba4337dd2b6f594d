/** Conversion of written values to a key's type, and the messages when they do not fit. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyByPath } from "./schema.ts";
import type { ConfigKey } from "./types.ts";
import { describeValue, fromText, fromToml, parseSize } from "./values.ts";

function key(path: string): ConfigKey {
  const found = keyByPath(path);
  if (found === undefined) throw new Error(`no key ${path}`);
  return found;
}

describe("parseSize", () => {
  it.each([
    ["1024", 1024],
    ["-1", -1],
    ["0", 0],
    ["512MB", 512_000_000],
    ["512mb", 512_000_000],
    ["1GiB", 1_073_741_824],
    ["1 GiB", 1_073_741_824],
    ["1.5KiB", 1536],
    ["2k", 2000],
    ["10B", 10],
    ["3TB", 3e12],
    ["1.0001KB", 1000],
  ])("%j → %d", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(["", "GB", "1 G B", "1XB", "one", "1e3", "99999999999999TiB"])("%j is not a size", (text) => {
    expect(parseSize(text)).toBeNull();
  });

  it("reads n KiB as n × 1024 and n as n", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 30 }), (n) => {
        expect(parseSize(`${n}KiB`)).toBe(n * 1024);
        expect(parseSize(String(n))).toBe(n);
      }),
    );
  });
});

describe("fromToml", () => {
  it.each([
    ["nats.url", 3, "expected a string, got 3"],
    ["refresh", 90, 'expected a duration string such as "90s", got 90'],
    ["streams.replicas", 1.5, "expected an integer, got 1.5"],
    ["streams.replicas", "2", 'expected an integer, got "2"'],
    ["cache.s3.force_path_style", "yes", 'expected true or false, got "yes"'],
    ["streams.max_bytes", true, 'expected a size in bytes or a string such as "512MB", got true'],
    ["host", ["a"], "expected a string, got an array"],
    ["host", { a: 1 }, "expected a string, got a table"],
    ["nats.pass", 42, "expected a string, got 42"],
  ])("%s = %j: %s", (path, raw, message) => {
    expect(fromToml(key(path), raw)).toEqual({ ok: false, message });
  });

  it("takes sizes as integers or strings", () => {
    expect(fromToml(key("streams.max_bytes"), 2048)).toEqual({ ok: true, value: 2048 });
    expect(fromToml(key("streams.max_bytes"), "1GiB")).toEqual({ ok: true, value: 2 ** 30 });
    expect(fromToml(key("streams.max_bytes"), 0)).toEqual({
      ok: false,
      message: "expected -1 (no limit) or a positive size, got 0",
    });
  });
});

describe("fromText", () => {
  it("reads durations in ms and says how to write a bad one", () => {
    expect(fromText(key("refresh"), "1h30m")).toEqual({ ok: true, value: 5_400_000 });
    expect(fromText(key("refresh"), "5 min")).toEqual({
      ok: false,
      message: 'invalid duration "5 min"; write a Go duration such as 90s, 1h30m or 72h',
    });
    expect(fromText(key("refresh"), "100ms")).toEqual({
      ok: false,
      message: "must be at least 1s, got 100ms",
    });
    expect(fromText(key("streams.max_age"), "-1h")).toEqual({
      ok: false,
      message: "must not be negative, got -1h",
    });
  });

  it("reads booleans as true/false/1/0", () => {
    const force = key("cache.s3.force_path_style");
    expect(fromText(force, "TRUE")).toEqual({ ok: true, value: true });
    expect(fromText(force, "1")).toEqual({ ok: true, value: true });
    expect(fromText(force, "0")).toEqual({ ok: true, value: false });
    expect(fromText(force, "yes")).toMatchObject({ ok: false });
  });

  it("checks integer ranges", () => {
    expect(fromText(key("streams.replicas"), "3")).toEqual({ ok: true, value: 3 });
    expect(fromText(key("streams.replicas"), "7")).toEqual({
      ok: false,
      message: "must be between 1 and 5, got 7",
    });
    expect(fromText(key("status_port"), "70000")).toMatchObject({ ok: false });
    expect(fromText(key("status_port"), "x")).toEqual({ ok: false, message: 'expected an integer, got "x"' });
  });

  it('turns a topic of "-" off', () => {
    expect(fromText(key("file_topic"), "-")).toEqual({ ok: true, value: "" });
    expect(fromText(key("failed_topic"), "")).toEqual({ ok: true, value: "" });
    expect(fromText(key("done_topic"), "")).toMatchObject({ ok: false });
  });

  it("suggests the choice meant", () => {
    expect(fromText(key("log.level"), "warning")).toEqual({
      ok: false,
      message:
        'expected one of trace, debug, info, warn, error, fatal, silent, got "warning"; did you mean "warn"?',
    });
    expect(fromText(key("log.format"), "text")).toMatchObject({ ok: false });
  });

  it("never repeats a secret's value", () => {
    const result = fromText(key("slack.url"), "not a url s3cr3t");
    expect(result).toMatchObject({ ok: false });
    expect(JSON.stringify(result)).not.toContain("s3cr3t");
  });
});

describe("describeValue", () => {
  it("quotes strings and names tables, arrays and dates", () => {
    expect(describeValue("x")).toBe('"x"');
    expect(describeValue(3)).toBe("3");
    expect(describeValue(new Date(0))).toBe("a date");
    expect(describeValue([])).toBe("an array");
    expect(describeValue({})).toBe("a table");
  });
});
