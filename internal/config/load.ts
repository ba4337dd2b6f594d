/**
 * `loadConfig`: reads the config file, if one is named, and resolves it with the environment and the flags.
 * Reading that one file is the only I/O of the module; paths inside the config stay as written, for the caller
 * to resolve against the working directory.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { configError } from "./layer.ts";
import { type ResolvedConfig, resolveConfig } from "./resolve.ts";

export interface LoadInput {
  /** The config file, relative to `cwd` or absolute; none means defaults, environment and flags only. */
  readonly file?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly flags: readonly string[];
  readonly cwd: string;
}

export function loadConfig(input: LoadInput): ResolvedConfig {
  const { env, flags } = input;
  if (input.file === undefined) return resolveConfig({ env, flags });
  const read = readText(resolve(input.cwd, input.file));
  if (typeof read === "string") return resolveConfig({ text: read, env, flags });
  // A file that cannot be read is an error, and the rest still resolves so every other problem shows too.
  const resolved = resolveConfig({ env, flags });
  const problem = configError("", `${read.message}: ${JSON.stringify(input.file)}`, { source: "file" });
  return { config: resolved.config, problems: [problem, ...resolved.problems] };
}

function readText(path: string): string | { message: string } {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { message: "no such config file" };
    if (code === "EISDIR") return { message: "the config file is a directory" };
    return { message: `cannot read the config file (${code ?? String(err)})` };
  }
}
