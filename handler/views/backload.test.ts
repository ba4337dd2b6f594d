// The backload page: the phase data taken from a workflow snapshot, the server-rendered form (options, the chosen
// phase, execute locked without admin), that a hostile template is never written raw into the HTML, and that the
// browser script at least parses.
import { describe, expect, it } from "vitest";
import { buildSnapshot } from "../../internal/workflow/index.ts";
import { BackloadPage, type BackloadPageProps, backloadPhases, ruleParts, scriptJson } from "./backload.tsx";
import { backloadScript } from "./backload-script.ts";

const hostile = "</script><script>alert(1)</script>";

const files = {
  "daily.toml": `
[[phase]]
task = "load:eu"
rule = "cron=0 0 * * *&meta=name:a,b|region:x,y&by=hour"
template = "?day={yyyy}-{mm}-{dd}&name={meta:name}&region={meta:region}&again={meta:name}"

[[phase]]
task = "rows"
rule = "meta-file=/data/rows.csv&job=j1"
template = "?id={meta:id}"
`,
  "evil.toml": `
[[phase]]
task = "evil"
template = "${hostile}"
`,
};

function snapshot() {
  const list = Object.entries(files).map(([name, text]) => ({ name, path: `/wf/${name}`, text }));
  const built = buildSnapshot("/wf", list);
  const errors = built.problems.filter((problem) => problem.severity === "error");
  if (errors.length > 0) throw new Error(`bad test workflow: ${JSON.stringify(errors)}`);
  return built;
}

function render(over: Partial<BackloadPageProps> = {}): string {
  return String(
    BackloadPage({ phases: backloadPhases(snapshot()), today: "2024-01-15", canExecute: true, ...over }),
  );
}

/** The text between the opening tag matched by `open` and the next `</tag>`. */
function between(html: string, open: string, close: string): string {
  const start = html.indexOf(open);
  if (start < 0) throw new Error(`no ${open}`);
  return html.slice(start + open.length, html.indexOf(close, start));
}

describe("backloadPhases", () => {
  it("takes each phase's meta keys, rule meta, meta-file and by", () => {
    const phases = backloadPhases(snapshot());
    expect(phases.map((p) => `${p.workflow}|${p.key}`)).toEqual([
      "daily.toml|load:eu",
      "daily.toml|rows:j1",
      "evil.toml|evil",
    ]);
    const [load, rows, evil] = phases;
    expect(load).toMatchObject({ topic: "load", job: "eu", metaKeys: ["name", "region"], by: "hour" });
    expect(load?.ruleMeta).toEqual({ name: "a,b", region: "x,y" });
    expect(load?.metaFile).toBeUndefined();
    expect(rows).toMatchObject({ topic: "rows", job: "j1", metaKeys: ["id"], metaFile: "/data/rows.csv" });
    expect(rows?.by).toBeUndefined();
    expect(rows?.ruleMeta).toBeUndefined();
    expect(evil).toMatchObject({ metaKeys: [], rule: "", template: hostile });
  });

  it("splits a rule on & for display", () => {
    expect(ruleParts("cron=0 * * * *&offset=-4h")).toEqual(["cron=0 * * * *", "offset=-4h"]);
    expect(ruleParts("")).toEqual(["(no rule)"]);
  });
});

describe("BackloadPage", () => {
  it("lists one option per phase, grouped by workflow, the first chosen by default", () => {
    const html = render();
    const options = [...html.matchAll(/<option value="([^"]*\|[^"]*)"( selected="")?>/g)];
    expect(options.map((m) => m[1])).toEqual(["daily.toml|load:eu", "daily.toml|rows:j1", "evil.toml|evil"]);
    expect(options.filter((m) => m[2]).map((m) => m[1])).toEqual(["daily.toml|load:eu"]);
    expect(html).toContain('<optgroup label="daily.toml">');
    expect(html).toContain('<optgroup label="evil.toml">');
    // The chosen phase's details and meta inputs, with the rule's by= as the range step.
    expect(html).toContain('<input id="backload-meta-name"');
    expect(html).toContain('<input id="backload-meta-region"');
    expect(html).toContain('<option value="hour" selected="">hour</option>');
    expect(html).toContain("<li>cron=0 0 * * *</li><li>meta=name:a,b|region:x,y</li><li>by=hour</li>");
    expect(html).toContain('value="2024-01-15"');
    expect(html).toContain('<script src="/static/backload.js" defer=""></script>');
  });

  it("preselects the phase named by ?phase=, and prefills its rule's meta-file", () => {
    const html = render({ selected: "daily.toml|rows:j1" });
    expect(html).toMatch(/<option value="daily.toml\|rows:j1" selected="">/);
    expect(html).not.toMatch(/<option value="daily.toml\|load:eu" selected="">/);
    expect(html).toMatch(/<input id="backload-meta-file" type="text" value="\/data\/rows.csv"/);
    expect(html).toContain('<div id="backload-meta-values" hidden="">');
  });

  it("says so when ?phase= names no phase", () => {
    expect(render({ selected: "gone.toml|x" })).toContain("No phase gone.toml|x in the loaded workflows.");
  });

  it("disables Execute without the admin role and says why", () => {
    const locked = render({ canExecute: false });
    expect(between(locked, '<button type="button" id="backload-execute"', ">")).toContain('disabled=""');
    expect(locked).toContain("executing needs the admin token (http.admin_token)");
    const open = render({ canExecute: true });
    expect(between(open, '<button type="button" id="backload-execute"', ">")).not.toContain("disabled");
    expect(open).not.toContain("executing needs the admin token");
  });

  it("labels every input and select", () => {
    const html = render();
    const ids = [...html.matchAll(/<(?:input|select)[^>]* id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) {
      const forLabel = html.includes(`<label for="${id}">`);
      const wrapped = new RegExp(`<label class="choice"><input[^>]* id="${id}"`).test(html);
      expect(forLabel || wrapped, id).toBe(true);
    }
  });

  it("never writes a hostile template raw, in the page or in the phase data", () => {
    const html = render({ selected: "evil.toml|evil" });
    expect(html).not.toContain(hostile);
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    const json = between(html, '<script type="application/json" id="backload-phases">', "</script>");
    expect(json).not.toContain("<");
    expect(JSON.parse(json)).toEqual(backloadPhases(snapshot()));
  });

  it("renders an empty form when no phases are loaded", () => {
    const html = String(BackloadPage({ phases: [], today: "2024-01-15", canExecute: true }));
    expect(html).toContain("No workflow phases are loaded.");
    expect(between(html, '<button type="submit" id="backload-preview"', ">")).toContain('disabled=""');
  });
});

describe("scriptJson", () => {
  it("escapes what could end the script block, and still parses to the same value", () => {
    const value = { a: "</script><!-- & \u2028 >" };
    const text = scriptJson(value);
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe("backloadScript", () => {
  it("parses as a script", () => {
    expect(() => new Function(backloadScript)).not.toThrow();
  });

  it("does nothing on a page without the backload form", () => {
    const page = { getElementById: () => null, querySelector: () => null };
    const run = new Function("document", "window", backloadScript);
    expect(() => run(page, { fetch: () => {}, JSON })).not.toThrow();
  });
});
