/**
 * Keeping secrets out of sight: `redactConfig` is the config as plain JSON with every secret replaced by "***"
 * (for the dashboard and `--show`), and `configSecrets` lists the secret values themselves, so the logger can
 * scrub them from any text. Secrets are the keys the schema marks, plus credentials inside `nats.url`. The token
 * files are read by their users, who add what they read to the logger's secrets themselves.
 */
import { getField, setField } from "./fields.ts";
import { configKeys } from "./schema.ts";
import type { Config } from "./types.ts";

export const hidden = "***";

/** `scheme://userinfo@` at the start of one URL of a comma-separated list. */
const userinfo = /(^|,)(\s*[a-z][a-z0-9+.-]*:\/\/)([^@/\s,]*)@/gi;

/** `nats://user:pass@h` → `nats://user:***@h`; `nats://token@h` → `nats://***@h` (a lone user may be a token). */
export function hideUrlCredentials(urls: string): string {
  return urls.replace(userinfo, (_, start: string, scheme: string, info: string) => {
    const colon = info.indexOf(":");
    return `${start}${scheme}${colon < 0 ? hidden : `${info.slice(0, colon)}:${hidden}`}@`;
  });
}

/** The passwords (or lone tokens) inside a URL list, as written there. */
function urlCredentials(urls: string): string[] {
  const found: string[] = [];
  for (const match of urls.matchAll(userinfo)) {
    const info = match[3] ?? "";
    const colon = info.indexOf(":");
    const secret = colon < 0 ? info : info.slice(colon + 1);
    if (secret === "") continue;
    found.push(secret);
    // The URL may carry it percent-encoded; the clients use the decoded form.
    try {
      const decoded = decodeURIComponent(secret);
      if (decoded !== secret) found.push(decoded);
    } catch {
      // Not valid percent-encoding: the written form is the only one.
    }
  }
  return found;
}

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
