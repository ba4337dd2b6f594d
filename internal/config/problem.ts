/**
 * Printing config problems for a person: where (the file and line, the variable, or the flag), then the key and
 * the message, in the shape the workflow problems use: `taskmaster.toml:3:7: nats.url: expected a string, got 3`.
 */
import { Severity } from "../errors/index.ts";
import { keyByPath } from "./schema.ts";
import type { ConfigProblem } from "./types.ts";

/** `file` names the config file in the output; without it the line reads "config file:3:7: ...". */
export function formatConfigProblem(p: ConfigProblem, file = "config file"): string {
  const level = p.severity === Severity.warning ? "warning: " : "";
  const known = keyByPath(p.key);
  let where: string;
  switch (p.source) {
    case "file":
      where = `${file}${p.line === undefined ? "" : `:${p.line}`}${p.column === undefined ? "" : `:${p.column}`}`;
      break;
    case "env":
      where = known === undefined ? "environment" : `environment ${known.env}`;
      break;
    case "flag":
      where = known === undefined ? "command line" : `command line ${known.flag}`;
      break;
  }
  // `unknown key "x"` names its key already.
  const named = p.key === "" || p.message.includes(`"${p.key}"`);
  return `${where}: ${level}${named ? "" : `${p.key}: `}${p.message}`;
}

export function hasConfigErrors(problems: readonly ConfigProblem[]): boolean {
  return problems.some((p) => p.severity === Severity.error);
}
