/**
 * Resolving the config: defaults < file < environment < flags, then the rules between keys, into one frozen
 * `Config`, with every problem from every source reported together. A value that is wrong is reported and
 * left out, so the key keeps what the layers below it said (in the end, its default). Pure: the caller reads
 * the file (`load.ts`).
 */
import { deriveSettings, listenAddress, type Settings } from "./derive.ts";
import { readEnvLayer } from "./env.ts";
import { deepFreeze, setField } from "./fields.ts";
import { readFileLayer } from "./file.ts";
import { readFlagLayer } from "./flags.ts";
import type { Layer } from "./layer.ts";
import { configKeys } from "./schema.ts";
import type { Config, ConfigProblem } from "./types.ts";

export interface ResolveInput {
  /** The config file's text, when there is one. */
  readonly text?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly flags: readonly string[];
}

export interface ResolvedConfig {
  readonly config: Config;
  readonly problems: ConfigProblem[];
}

export function resolveConfig(input: ResolveInput): ResolvedConfig {
  const layers: Layer[] = [
    input.text === undefined ? { assignments: [], problems: [] } : readFileLayer(input.text),
    readEnvLayer(input.env),
    readFlagLayer(input.flags),
  ];
  const settings: Settings = new Map(configKeys.map((key) => [key.path, { value: key.default }]));
  for (const layer of layers) {
    for (const assignment of layer.assignments) {
      settings.set(assignment.key.path, { value: assignment.value, from: assignment });
    }
  }
  const problems = [...layers.flatMap((layer) => layer.problems), ...deriveSettings(settings)];
  return { config: buildConfig(settings), problems };
}

/**
 * The nested `Config` from the flat settings, following each key's field path, and the values read from them
 * (`http.address`). The cast is the one place where the schema and the `Config` type meet; `schema.test.ts` checks
 * that they agree field for field.
 */
function buildConfig(settings: Settings): Config {
  const root: Record<string, unknown> = {};
  for (const key of configKeys) setField(root, key.field, settings.get(key.path)?.value);
  setField(root, ["http", "address"], listenAddress(settings));
  return deepFreeze(root) as unknown as Config;
}
