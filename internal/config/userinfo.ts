/**
 * Credentials written inside URLs (`nats://user:pass@host`): hidden for display, and listed so the logger can scrub
 * them. Apart from `redact.ts` so that the config checks, which `redact.ts` depends on through the schema, can hide
 * them in their messages too.
 */

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
export function urlCredentials(urls: string): string[] {
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
