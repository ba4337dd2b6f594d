/**
 * A layer is what one source (the file, the environment or the flags) says: the values it sets and the problems
 * found reading it. Layers are read independently and merged in order of precedence by `resolve.ts`.
 */
import { Severity } from "../errors/index.ts";
import type { ConfigKey, ConfigProblem, ConfigSource, Value } from "./types.ts";

export interface Assignment {
  readonly key: ConfigKey;
  readonly value: Value;
  readonly source: ConfigSource;
  /** The name as written (`sqlite.LocalPath`, `--done-topic`, `TASKMASTER_DONE_TOPIC`), for messages. */
  readonly written: string;
  readonly line?: number;
  readonly column?: number;
}

export interface Layer {
  readonly assignments: readonly Assignment[];
  readonly problems: readonly ConfigProblem[];
}

export interface Where {
  readonly source: ConfigSource;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

function at(where: Where): Pick<ConfigProblem, "source" | "line" | "column"> {
  return {
    source: where.source,
    ...(where.line === undefined ? {} : { line: where.line }),
    ...(where.column === undefined ? {} : { column: where.column }),
  };
}

export function configError(key: string, message: string, where: Where): ConfigProblem {
  return { severity: Severity.error, key, message, ...at(where) };
}

export function configWarning(key: string, message: string, where: Where): ConfigProblem {
  return { severity: Severity.warning, key, message, ...at(where) };
}
