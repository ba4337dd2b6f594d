// The README documents every rule key and template token the code knows; this keeps the two from drifting apart.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ruleKeys } from "../internal/rule/index.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe("README", () => {
  it("documents every rule key (count excepted: it is unused)", () => {
    const rules = section("Rule keys");
    for (const key of ruleKeys.filter((k) => k !== "count")) expect(rules).toContain(`| \`${key}\` |`);
  });

  it("documents every template token", () => {
    const templates = section("Templates");
    for (const token of [
      "{YYYY}",
      "{YY}",
      "{MM}",
      "{DD}",
      "{HH}",
      "{min}",
      "{TS}",
      "{ts}",
      "{SLUG}",
      "{HOUR_SLUG}",
    ]) {
      expect(templates).toContain(token);
    }
    for (const token of ["{DAY_SLUG}", "{MONTH_SLUG}", "{HOST}", "{POD}", "{uuid}", "{meta:key}"]) {
      expect(templates).toContain(token);
    }
  });

  it("starts with the commands that work", () => {
    expect(readme.slice(0, 1200)).toContain("make test");
  });
});

describe("README configuration", () => {
  it("documents every config key", async () => {
    const { configKeys } = await import("../internal/config/index.ts");
    const config = section("Configuration");
    for (const key of configKeys) expect(config).toContain(`| \`${key.path}\` |`);
  });
});
