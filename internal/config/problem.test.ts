/** How a config problem reads for a person. */
import { describe, expect, it } from "vitest";
import { formatConfigProblem, hasConfigErrors } from "./problem.ts";
import type { ConfigProblem } from "./types.ts";

describe("formatConfigProblem", () => {
  it.each<[ConfigProblem, string]>([
    [
      {
        severity: "error",
        key: "nats.url",
        source: "file",
        line: 3,
        column: 7,
        message: "expected a string, got 3",
      },
      "tm.toml:3:7: nats.url: expected a string, got 3",
    ],
    [
      { severity: "warning", key: "nats.ulr", source: "file", line: 4, message: 'unknown key "nats.ulr"' },
      'tm.toml:4: warning: unknown key "nats.ulr"',
    ],
    [
      { severity: "error", key: "", source: "file", message: "no such config file" },
      "tm.toml: no such config file",
    ],
    [
      { severity: "error", key: "refresh", source: "env", message: 'invalid duration "x"' },
      'environment TASKMASTER_REFRESH: refresh: invalid duration "x"',
    ],
    [
      { severity: "warning", key: "TASKMASTER_X", source: "env", message: 'unknown variable "TASKMASTER_X"' },
      'environment: warning: unknown variable "TASKMASTER_X"',
    ],
    [
      { severity: "error", key: "done_topic", source: "flag", message: "must not be empty" },
      "command line --done_topic: done_topic: must not be empty",
    ],
  ])("%j", (problem, text) => {
    expect(formatConfigProblem(problem, "tm.toml")).toBe(text);
  });

  it("calls the file 'config file' when not told its name", () => {
    expect(formatConfigProblem({ severity: "error", key: "", source: "file", line: 1, message: "m" })).toBe(
      "config file:1: m",
    );
  });
});

describe("hasConfigErrors", () => {
  it("is true only with an error", () => {
    expect(hasConfigErrors([])).toBe(false);
    expect(hasConfigErrors([{ severity: "warning", key: "", source: "env", message: "" }])).toBe(false);
    expect(hasConfigErrors([{ severity: "error", key: "", source: "env", message: "" }])).toBe(true);
  });
});
