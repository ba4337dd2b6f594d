/** The pretty format: `HH:MM:SS.mmm LEVEL message key=value ...`, one line per event. */
import { describe, expect, it } from "vitest";
import { formatPretty } from "./pretty.ts";

const time = new Date(2024, 0, 2, 3, 4, 5, 67).getTime(); // local time, as the format shows it

describe("formatPretty", () => {
  it("writes time, level, message and fields", () => {
    const line = formatPretty({
      level: 30,
      time,
      pid: 1,
      hostname: "h",
      msg: "task published",
      subject: "tasks.load",
      attempt: 2,
      ok: true,
      note: "two words",
      meta: { a: 1 },
    });
    expect(line).toBe(
      '03:04:05.067 INFO  task published subject=tasks.load attempt=2 ok=true note="two words" meta={"a":1}',
    );
  });

  it.each([
    [10, "TRACE"],
    [20, "DEBUG"],
    [40, "WARN "],
    [50, "ERROR"],
    [60, "FATAL"],
  ])("names level %d %s", (level, name) => {
    expect(formatPretty({ level, time, msg: "m" })).toBe(`03:04:05.067 ${name} m`);
  });

  it("keeps an event on one line, and shows an error with where it was thrown", () => {
    const line = formatPretty({
      level: 50,
      time,
      msg: "line one\nline two",
      err: {
        type: "TypeError",
        message: "bad\nthing",
        stack: "TypeError: bad\n    at run (/app/engine.ts:12:3)\n    at main (/app/main.ts:1:1)",
      },
    });
    expect(line).toBe(
      '03:04:05.067 ERROR line one\\nline two err="TypeError: bad\\\\nthing (at /app/engine.ts:12:3)"',
    );
    expect(line).not.toContain("\n");
  });

  it("writes every control character as an escape: nothing from outside reaches the terminal as it is", () => {
    const line = formatPretty({
      level: 40,
      time,
      msg: "message rejected \u001b[2J\u0007",
      reason: "bad\u0000",
      data: "\u001b[31mred\u001b[0m text",
      "k\u001b[1m": { info: "\u009b1m\u007f\u2028" },
    });
    expect(line).toBe(
      '03:04:05.067 WARN  message rejected \\u001b[2J\\u0007 reason=bad\\u0000 data="\\u001b[31mred\\u001b[0m text" k\\u001b[1m={"info":"\\u009b1m\\u007f\\u2028"}',
    );
    expect(line).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
  });
});
