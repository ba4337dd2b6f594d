import { describe, expect, it } from "vitest";
import { buildSnapshot } from "../../internal/workflow/index.ts";
import { WorkflowsPage } from "./workflows.tsx";

const etl = `
[[phase]]
task = "extract"
rule = "cron=0 * * * *&offset=-4h"
template = "s3://in/{YYYY}/{MM}/{DD}/{HH}.json"
retry = 3

[[phase]]
task = "transform"
dependsOn = "extract"
template = "<script>alert('x')</script>"

[[phase]]
task = "load:daily"
rule = "cron=30 6 * * *&tz=America/New_York"
template = "load?day={YYYY}-{MM}-{DD}"

[[phase]]
task = "ingest"
rule = "files=s3://bucket/*/data.csv"
template = "{meta:file}"

[[phase]]
task = "stray"
dependsOn = "nothing"
template = "stray"

[[phase]]
task = "backfill"
rule = "cron=0 0 * * *&for=-48h&by=day"
template = "day={YYYY}-{MM}-{DD}"
`;

const snapshot = buildSnapshot("/wf", [
  { name: "etl.toml", path: "/wf/etl.toml", text: etl },
  { name: "broken.toml", path: "/wf/broken.toml", text: "[[phase]\ntask =" },
]);
const now = new Date("2024-01-15T10:30:00Z");

async function render(props: Parameters<typeof WorkflowsPage>[0]): Promise<string> {
  return String(await WorkflowsPage(props));
}

/** The table row of one phase, by its anchor. */
function row(html: string, anchor: string): string {
  const start = html.indexOf(`<tr id="${anchor}"`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</tr>", start));
}

const count = (html: string, text: string) => html.split(text).length - 1;

describe("WorkflowsPage", () => {
  it("summarises the snapshot and lists the file that did not load", async () => {
    const html = await render({ snapshot, now });
    expect(html).toMatch(/<b>1<\/b> workflows/);
    expect(html).toMatch(/<b>6<\/b> phases/);
    expect(html).toContain("broken.toml");
    expect(html).toContain("invalid TOML");
    expect(html).toContain("(file not loaded)");
  });

  it("draws one node per phase, one per trigger, and the edges between them", async () => {
    const html = await render({ snapshot, now });
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-label="Graph of etl.toml: 6 phases, 4 triggers, 5 arrows"');
    expect(count(html, '<g class="node phase')).toBe(6);
    expect(count(html, '<g class="node cron"')).toBe(3);
    expect(count(html, '<g class="node files"')).toBe(1);
    expect(html).toContain('data-from="phase-etl.toml-extract" data-to="phase-etl.toml-transform"');
    expect(html).toContain('data-from="phase-etl.toml-extract~cron" data-to="phase-etl.toml-extract"');
    expect(html).toContain('data-from="phase-etl.toml-ingest~files" data-to="phase-etl.toml-ingest"');
    expect(html).toContain('<g class="node phase orphan" data-node="phase-etl.toml-stray"');
    expect(html).toContain('<a href="#phase-etl.toml-load:daily">');
    expect(html).toContain(">0 * * * *</text>");
    expect(html).toContain(">s3://bucket/*/data.csv</text>");
  });

  it("shows the next and previous cron fire for now, in UTC and on the phase's clock", async () => {
    const html = await render({ snapshot, now });
    const hourly = row(html, "phase-etl.toml-extract");
    expect(hourly).toContain('<time datetime="2024-01-15T11:00:00Z">');
    expect(hourly).toContain('<time datetime="2024-01-15T10:00:00Z">');
    const zoned = row(html, "phase-etl.toml-load:daily");
    expect(zoned).toContain('<time datetime="2024-01-15T11:30:00Z">');
    expect(zoned).toContain('<time datetime="2024-01-14T11:30:00Z">');
    expect(zoned).toContain("2024-01-15 06:30:00 America/New_York");
    const batch = row(html, "phase-etl.toml-backfill");
    expect(batch).toContain('<time datetime="2024-01-16T00:00:00Z">');
    expect(batch).toContain('<time datetime="2024-01-15T00:00:00Z">');
    expect(batch).toContain("batch for -48h by day");
    expect(row(html, "phase-etl.toml-transform")).not.toContain("<time");
  });

  it("shows each phase's problems, and OK when it has none", async () => {
    const html = await render({ snapshot, now });
    expect(row(html, "phase-etl.toml-extract")).toContain("OK");
    const stray = row(html, "phase-etl.toml-stray");
    expect(stray).toContain("dependsOn: parent &quot;nothing&quot; not found in etl.toml");
    expect(stray).toContain("(no such parent)");
  });

  it("escapes a hostile template", async () => {
    const html = await render({ snapshot, now });
    expect(html).not.toContain("<script>alert");
    expect(row(html, "phase-etl.toml-transform")).toContain(
      "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
    );
  });

  it("links each phase to its backload form", async () => {
    const html = await render({ snapshot, now });
    expect(row(html, "phase-etl.toml-load:daily")).toContain(
      'href="/web/backload?phase=etl.toml%7Cload%3Adaily"',
    );
  });

  it("terminates on a dependsOn cycle and marks the edge that closes it", async () => {
    const cyclic = buildSnapshot("/wf", [
      {
        name: "loop.toml",
        path: "/wf/loop.toml",
        text: '[[phase]]\ntask = "a"\ndependsOn = "b"\n\n[[phase]]\ntask = "b"\ndependsOn = "a"\n',
      },
    ]);
    const html = await render({ snapshot: cyclic, now });
    expect(count(html, '<g class="node phase')).toBe(2);
    expect(count(html, 'class="edge back"')).toBe(1);
    expect(html).toContain("dependsOn cycle");
  });

  it("falls back to the cache's records before a snapshot exists", async () => {
    const record = {
      workflow: "etl.toml",
      phase: "extract",
      topic: "extract",
      job: "",
      dependsOn: "",
      rule: "cron=0 * * * *",
      template: "<b>x</b>",
      retry: 0,
      status: "ok" as const,
      problems: [],
      loaded: "2024-01-15T10:00:00Z",
    };
    const html = await render({ snapshot: undefined, now, records: [record] });
    expect(html).toContain("the phases the cache last recorded");
    expect(html).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(await render({ snapshot: undefined, now })).toContain("No workflows loaded yet.");
  });
});
