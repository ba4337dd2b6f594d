/**
 * The field names pino's `redact` hides wherever they sit, up to three tables deep: `pass`, `token`,
 * `secret_key`, `authorization` ... and the Slack webhook URL. Values that are secret by content, not by name,
 * are the scrubber's job (`scrub.ts`).
 */

const secretNames = [
  "pass",
  "password",
  "token",
  "secret",
  "secret_key",
  "secretKey",
  "read_token",
  "readToken",
  "admin_token",
  "adminToken",
  "access_token",
  "accessToken",
  "api_key",
  "apiKey",
  "authorization",
  "Authorization",
  "cookie",
];

/** `pass`, `*.pass`, `*.*.pass`, `*.*.*.pass` ... for each name, plus `slack.url` at the same depths. */
export function redactPaths(): string[] {
  const depths = ["", "*.", "*.*.", "*.*.*."];
  return depths.flatMap((prefix) => [...secretNames.map((name) => `${prefix}${name}`), `${prefix}slack.url`]);
}
