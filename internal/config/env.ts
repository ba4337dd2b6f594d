/**
 * The environment layer: `TASKMASTER_<PATH>` variables, PATH being the key path upper-cased with `.` → `_`
 * (`TASKMASTER_NATS_URL`, `TASKMASTER_CACHE_S3_SECRET_KEY`). The names come from the schema. An empty variable
 * counts as unset, as deployment tools often pass empty ones; write "-" to turn a topic off.
 */
import { nearest } from "../rule/index.ts";
import { type Assignment, configError, configWarning, type Layer } from "./layer.ts";
import { didYouMean } from "./match.ts";
import { configFileVariable, configKeys, keyByEnv } from "./schema.ts";
import type { ConfigProblem } from "./types.ts";
import { fromText } from "./values.ts";

const prefix = "TASKMASTER_";
const where = { source: "env" } as const;

export function readEnvLayer(env: Readonly<Record<string, string | undefined>>): Layer {
  const assignments: Assignment[] = [];
  const problems: ConfigProblem[] = [];
  // Sorted, so that problems come out in the same order whatever the environment's order.
  const names = Object.keys(env)
    .filter((name) => name.startsWith(prefix) && name !== configFileVariable)
    .sort();
  for (const name of names) {
    const text = env[name];
    if (text === undefined || text === "") continue;
    const key = keyByEnv(name);
    if (key === undefined) {
      const suggestion = nearest(
        name,
        configKeys.map((k) => k.env),
      );
      problems.push(configWarning(name, `unknown variable "${name}"${didYouMean(suggestion)}`, where));
      continue;
    }
    const converted = fromText(key, text);
    if (converted.ok) assignments.push({ key, value: converted.value, source: "env", written: name });
    else problems.push(configError(key.path, converted.message, where));
  }
  return { assignments, problems };
}
