// The reference pages in docs/ document every rule key, template token, config key, metric and API route the code
// knows; this keeps the two from drifting apart.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openapi } from "../handler/openapi.ts";
import { configKeys, configReference } from "../internal/config/index.ts";
import { EngineEvents } from "../internal/engine/index.ts";
import { collectMetrics } from "../internal/metrics/index.ts";
import { ruleKeys } from "../internal/rule/index.ts";

const page = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), "utf8");
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** The text of a page from the heading `## title` to the next heading of that level. */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section "## ${title}"`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The first `cells` cells of a Markdown table row, as written. */
const leadingCells = (row: string, cells: number) => row.split(" | ").slice(0, cells).join(" | ");

describe("docs/workflows.md", () => {
  const workflows = page("workflows.md");

  it("documents every rule key (count excepted: it is unused)", () => {
    const rules = section(workflows, "Rule keys");
    for (const key of ruleKeys.filter((k) => k !== "count")) expect(rules).toContain(`| \`${key}\` |`);
  });

  it("documents every template token", () => {
    const templates = section(workflows, "Templates");
    const tokens = [
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
    ];
    tokens.push("{DAY_SLUG}", "{MONTH_SLUG}", "{HOST}", "{POD}", "{uuid}", "{meta:key}");
    for (const token of tokens) expect(templates).toContain(token);
  });
});

describe("docs/configuration.md", () => {
  it("has a row for every config key, with the type, default and environment variable the schema gives", () => {
    const rows = page("configuration.md").split("\n");
    const generated = configReference().split("\n").slice(2);
    expect(generated).toHaveLength(configKeys.length);
    for (const [i, key] of configKeys.entries()) {
      const row = rows.find((line) => line.startsWith(`| \`${key.path}\` |`));
      expect(row, `no row for ${key.path}`).toBeDefined();
      // path, type, default, environment; the meaning may say more than the schema's one line.
      expect(leadingCells(row ?? "", 4)).toBe(leadingCells(generated[i] ?? "", 4));
    }
  });
});

describe("docs/api.md", () => {
  const api = page("api.md");

  it("lists every metric the service exposes", () => {
    const metrics = collectMetrics(new EngineEvents());
    const text = metrics.render({
      natsConnected: 1,
      workflows: 1,
      phases: 1,
      backupFailing: 0,
    });
    metrics.stop();
    const names = [...text.matchAll(/^# HELP (\S+)/gm)].map((m) => m[1] ?? "");
    expect(names.length).toBeGreaterThan(15);
    const listed = section(api, "Metrics");
    for (const name of names) expect(listed, name).toContain(`| \`${name}\` |`);
  });

  it("lists every route of the OpenAPI document, and no route the document lacks but its own two", () => {
    const documented = Object.entries(openapi.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const table = section(api, "Routes");
    const listed = [...table.matchAll(/^\| `((?:GET|POST|PUT|PATCH|DELETE) \/[^`?]*)[^`]*` \|/gm)].map(
      (m) => m[1] ?? "",
    );
    expect(listed.filter((route) => !documented.includes(route))).toEqual([
      "GET /api/openapi.json",
      "GET /api/docs",
    ]);
    expect(documented.filter((route) => !listed.includes(route))).toEqual([]);
  });
});

describe("README", () => {
  it("gives the two commands and what each shows", () => {
    const commands = section(readme, "Two commands");
    expect(commands).toContain("make run");
    expect(commands).toContain("make test");
    expect(commands).toContain("N passed, N failed");
  });

  it("stays a front page of about 300 lines at most", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(300);
  });
});
