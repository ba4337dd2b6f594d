/**
 * The config reference for people, generated from the schema: `test/docs.test.ts` holds the table in
 * docs/configuration.md to it, so the page cannot drift from what the loader accepts.
 */
import { formatDuration } from "../rule/index.ts";
import { configKeys } from "./schema.ts";
import type { ConfigKey } from "./types.ts";

/** A key's default as one would write it in the TOML file; "" when it has none of its own. */
export function formatDefault(key: ConfigKey): string {
  const value = key.default;
  if (value === undefined) return "";
  if (key.type === "duration" && typeof value === "number") return `"${formatDuration(value)}"`;
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

const typeNames: Record<ConfigKey["type"], string> = {
  string: "string",
  topic: "string",
  duration: "duration",
  integer: "integer",
  size: "size",
  boolean: "boolean",
};

function describe(key: ConfigKey): string {
  const notes = [key.doc];
  if (key.choices !== undefined) notes.push(`one of ${key.choices.join(", ")}`);
  if (key.secret) notes.push("secret: hidden in logs and on the dashboard");
  if (key.aliases.length > 0) notes.push(`flowlord: ${key.aliases.map((a) => `\`${a}\``).join(", ")}`);
  return notes.join("; ");
}

/** A Markdown table of every key: TOML path, type, default, environment variable and meaning. */
export function configReference(): string {
  const rows = configKeys.map((key) => {
    const defaultText = formatDefault(key);
    const cells = [
      `\`${key.path}\``,
      typeNames[key.type],
      defaultText === "" ? "" : `\`${defaultText}\``,
      `\`${key.env}\``,
      describe(key).replaceAll("|", "\\|"),
    ];
    return `| ${cells.join(" | ")} |`;
  });
  return ["| key | type | default | environment | meaning |", "|---|---|---|---|---|", ...rows].join("\n");
}
