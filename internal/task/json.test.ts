import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TaskParseError } from "../errors/index.ts";
import { parseTask, taskJson } from "./json.ts";

function parseError(input: string, maxBytes?: number): TaskParseError {
  try {
    parseTask(input, maxBytes === undefined ? {} : { maxBytes });
  } catch (err) {
    if (err instanceof TaskParseError) return err;
    throw err;
  }
  throw new Error(`parsed without error: ${input}`);
}

describe("parseTask", () => {
  it("reads every pcelvng/task field", () => {
    const json = JSON.stringify({
      type: "sort",
      job: "daily",
      info: "?date=2024-01-15",
      created: "2024-01-15T10:00:00Z",
      id: "0b6c9ab8-8a0e-4f5d-9b7b-2b2d9e0b1a11",
      meta: "cron=2024-01-15T10&workflow=f1.toml",
      result: "complete",
      msg: "ok",
      started: "2024-01-15T10:00:01Z",
      ended: "2024-01-15T10:00:09.5+02:00",
    });
    expect(parseTask(json)).toEqual(JSON.parse(json));
    expect(parseTask(Buffer.from(json))).toEqual(JSON.parse(json));
  });

  it("treats missing info as empty and drops empty and null optional fields", () => {
    expect(parseTask('{"type":"a","job":"","result":null}')).toEqual({ type: "a", info: "" });
  });

  it("ignores fields it does not know", () => {
    expect(parseTask('{"type":"a","info":"x","extra":{"deep":1}}')).toEqual({ type: "a", info: "x" });
  });

  it.each([
    ['{"info":"x"}', "type: is required"],
    ['{"type":""}', "type: is required"],
    ['{"type":7}', "type: must be a string, got number 7"],
    ['{"type":"a","meta":{"k":"v"}}', "meta: must be a string, got an object"],
    [
      '{"type":"a","created":"yesterday"}',
      'created: must be an RFC 3339 time such as 2026-01-02T15:04:05Z, got "yesterday"',
    ],
    ['{"type":"a","ended":"2024-13-45T10:00:00Z"}', "ended: must be an RFC 3339 time"],
    ['{"type":"a","result":"done"}', 'result: must be one of complete, error, alert, warn, got "done"'],
    ["[1,2]", "expected a JSON object, got an array"],
    ["null", "expected a JSON object, got null"],
    ['"task"', 'expected a JSON object, got string "task"'],
  ])("rejects %s", (input, message) => {
    expect(parseError(input).message).toContain(message);
  });

  it("names the field of a bad value", () => {
    expect(parseError('{"type":"a","msg":false}').field).toBe("msg");
  });

  it("reports broken JSON with the parser's reason", () => {
    expect(parseError('{"type":"a",').message).toMatch(/^not valid JSON: /);
  });

  it("rejects keys that could reach an object prototype, at any depth", () => {
    expect(parseError('{"type":"a","__proto__":{"x":1}}').message).toBe("__proto__: key not allowed");
    expect(parseError('{"type":"a","extra":{"constructor":{"prototype":{}}}}').field).toBe("prototype");
  });

  it("refuses a message over the size limit before parsing it", () => {
    const big = JSON.stringify({ type: "a", info: "x".repeat(2000) });
    expect(parseError(big, 1000).message).toBe(`message is ${big.length} bytes, more than the limit of 1000`);
  });
});

describe("taskJson", () => {
  it("writes fields in pcelvng/task order and leaves out empty optional fields", () => {
    const json = taskJson({
      meta: "workflow=f1.toml",
      id: "abc",
      info: "?x=1",
      type: "t",
      created: "2024-01-15T10:00:00Z",
    });
    expect(json).toBe(
      '{"type":"t","info":"?x=1","created":"2024-01-15T10:00:00Z","id":"abc","meta":"workflow=f1.toml"}',
    );
  });

  it("always writes info, and does not escape HTML characters", () => {
    expect(taskJson({ type: "t", info: "" })).toBe('{"type":"t","info":""}');
    expect(taskJson({ type: "t", info: "a<b>&c" })).toBe('{"type":"t","info":"a<b>&c"}');
  });

  it("round-trips through parseTask", () => {
    const task = {
      type: "t",
      job: "j",
      info: "gs://b/p.json",
      id: "i",
      meta: "a=1",
      result: "error",
      msg: "boom",
    } as const;
    expect(parseTask(taskJson(task))).toEqual(task);
  });

  it("writes any text as JSON.stringify does: quotes, backslashes, control characters, surrogates", () => {
    // Odd characters are drawn often: a quote, a backslash, a control character, a lone and a paired surrogate.
    const odd = fc.constantFrom(
      '"',
      "\\",
      "\n",
      "\u0000",
      "\u001f",
      "\u007f",
      "\ud800",
      "\udc00",
      "😀",
      "é",
      "/",
      "<",
    );
    const text = fc
      .array(fc.oneof(odd, fc.string({ maxLength: 3 })), { maxLength: 6 })
      .map((a) => a.join(""));
    const field = fc.option(text, { nil: undefined });
    fc.assert(
      fc.property(text, text, field, field, field, (type, info, job, meta, msg) => {
        const task = { type, info, job, meta, msg };
        const written = taskJson(task);
        expect(written).toBe(
          JSON.stringify({
            type,
            job: job || undefined,
            info,
            meta: meta || undefined,
            msg: msg || undefined,
          }),
        );
      }),
      { numRuns: 3000 },
    );
  });
});

describe("parseTask: forbidden keys written with escapes", () => {
  it("rejects __proto__ spelt with \\u escapes", () => {
    expect(parseError('{"type":"a","\\u005f_proto__":{}}').message).toBe("__proto__: key not allowed");
  });
});
