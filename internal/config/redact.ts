/**
 * Keeping secrets out of sight: `redactConfig` is the config as plain JSON with every secret replaced by "***"
 * (for the dashboard and `--show`), and `configSecrets` lists the secret values themselves, so the logger can
 * scrub them from any text. Secrets are the keys the schema marks, plus credentials inside `nats.url`. The token
 * files are read by their users, who add what they read to the logger's secrets themselves.
 */
import { getField, setField } from "./fields.ts";
import { configKeys } from "./schema.ts";
import type { Config } from "./types.ts";
import { hidden, hideUrlCredentials, urlCredentials } from "./userinfo.ts";

export { hidden, hideUrlCredentials };

export function redactConfig(config: Config): unknown {
  const copy: Record<string, unknown> = {};
  for (const key of configKeys) {
    let value = getField(config, key.field);
    // An unset secret stays "", so the page still shows that it is not set.
    if (key.secret && value !== "" && value !== undefined) value = hidden;
    else if (key.path === "nats.url" && typeof value === "string") value = hideUrlCredentials(value);
    setField(copy, key.field, value);
  }
  return copy;
}

export function configSecrets(config: Config): string[] {
  const secrets = new Set<string>();
  for (const key of configKeys) {
    const value = getField(config, key.field);
    // A blank value is no secret to scrub: it would match every space the logger writes.
    if (key.secret && typeof value === "string" && value.trim() !== "") secrets.add(value);
  }
  for (const secret of urlCredentials(config.nats.url)) secrets.add(secret);
  return [...secrets];
}
