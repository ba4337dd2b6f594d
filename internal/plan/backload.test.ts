import { describe, expect, it } from "vitest";
import { InputError } from "../errors/index.ts";
import { planBackload } from "./backload.ts";
import { row, snapshotOf, testContext } from "./fixture.ts";
import { parseBackloadRequest } from "./request.ts";

const snapshot = snapshotOf({
  "daily.toml": [
    '[[phase]]\ntask = "sales:daily"\nrule = "cron=0 2 * * *&offset=-24h&meta=region:us,eu"\ntemplate = "?day={yyyy}-{mm}-{dd}&r={meta:region}"\n',
    '[[phase]]\ntask = "report"\nrule = "cron=0 3 * * *&meta-file=customers.ndjson"\ntemplate = "?c={meta:id}&d={yyyy}{mm}{dd}"\n',
    '[[phase]]\ntask = "plain"\nrule = "cron=@hourly"\ntemplate = "?h={yyyy}-{mm}-{dd}T{hh}"\n',
  ].join("\n"),
});

function plan(body: unknown, metaFiles = {}) {
  return planBackload(snapshot, parseBackloadRequest(body), testContext({ metaFiles }));
}

const infos = (p: ReturnType<typeof plan>) => p.emissions.map((e) => e.task.info);

describe("planBackload", () => {
  it("takes the phase's template and meta rows, over an inclusive range, without the offset", () => {
    const p = plan({ Task: "sales", Job: "daily", From: "2024-01-01", To: "2024-01-02" });
    expect(infos(p)).toEqual([
      "?day=2024-01-01&r=us",
      "?day=2024-01-01&r=eu",
      "?day=2024-01-02&r=us",
      "?day=2024-01-02&r=eu",
    ]);
    expect(p.status).toEqual(["phase found in daily.toml", "using default day iterator"]);
    expect(p.emissions[0]?.task).toMatchObject({
      type: "sales",
      job: "daily",
      meta: "cron=2024-01-01T00&job=daily&region=us&workflow=daily.toml",
    });
    expect(p.emissions.every((e) => e.kind === "backload" && e.phase?.phase === "sales:daily")).toBe(true);
  });

  it("accepts Task written as topic:job and field names in any case", () => {
    const p = plan({ task: "sales:daily", at: "2024-01-05", META: { region: ["apac"] } });
    expect(infos(p)).toEqual(["?day=2024-01-05&r=apac"]);
  });

  it("runs a reversed range backwards, by hour", () => {
    const p = plan({ Task: "plain", From: "2024-01-01T02", To: "2024-01-01T00", By: "hour" });
    expect(infos(p)).toEqual(["?h=2024-01-01T02", "?h=2024-01-01T01", "?h=2024-01-01T00"]);
  });

  it("uses From alone, or To alone, as a single time and says so", () => {
    expect(infos(plan({ Task: "plain", From: "2024-03-04T05" }))).toEqual(["?h=2024-03-04T05"]);
    expect(plan({ Task: "plain", To: "2024-03-04" }).status).toContain("from value not set");
  });

  it("uses the current hour when no time is given", () => {
    const p = plan({ Task: "plain" });
    expect(infos(p)).toEqual(["?h=2024-01-15T10"]);
    expect(p.status).toContain("no time provided, using now (2024-01-15T10)");
  });

  it("reads the phase's meta-file when the request has no meta", () => {
    const p = plan(
      { Task: "report", At: "2024-02-03" },
      { "customers.ndjson": [row({ id: "7" }), row({ id: "9" })] },
    );
    expect(infos(p)).toEqual(["?c=7&d=20240203", "?c=9&d=20240203"]);
  });

  it("backloads a template without a phase, with no workflow in the meta", () => {
    const p = plan({
      Task: "adhoc",
      Template: "?d={yyyy}-{mm}-{dd}&n={meta:n}",
      At: "2024-01-01",
      meta: { n: "x" },
    });
    expect(p.emissions.map((e) => [e.topic, e.task.info, e.task.meta])).toEqual([
      ["adhoc", "?d=2024-01-01&n=x", "cron=2024-01-01T00&n=x"],
    ]);
    expect(p.phase).toBeUndefined();
  });

  it.each([
    [{ Task: "nope" }, "no template found for nope"],
    [
      { Task: "plain", meta: { a: "1" }, "meta-file": "x.csv" },
      "Unsupported: meta and meta-file both used, use one only",
    ],
    [{ Task: "plain", At: "yesterday" }, 'At: cannot read "yesterday" as a time'],
    [{ Task: "plain", By: "fortnight" }, 'By: unknown step "fortnight"'],
    [
      { Task: "sales:daily", meta: { a: ["1", "2"], b: ["1"] } },
      "inconsistent lengths in meta: a has 2 values, b has 1",
    ],
    [{}, "Task is required"],
  ])("refuses %j with a clear message", (body, message) => {
    expect(() => plan(body)).toThrow(message);
  });

  it("gives every task of one request its own dedupe key, and a new request new keys", () => {
    const body = { Task: "plain", From: "2024-01-01T00", To: "2024-01-01T03", By: "hour" };
    const first = plan(body).emissions.map((e) => e.dedupeKey);
    expect(new Set(first).size).toBe(4);
    expect(plan(body).emissions.map((e) => e.dedupeKey)).toEqual(first); // same ids from the fixed context
  });
});

describe("parseBackloadRequest", () => {
  it("reads flowlord's body", () => {
    const req = parseBackloadRequest({
      Task: "t",
      Job: "j",
      Template: "x",
      Workflow: "w.toml",
      By: "week",
      meta: { k: ["a", "b"] },
      From: "2024-01-01",
      To: "2024-01-08",
      Execute: true,
    });
    expect(req).toMatchObject({ task: "t", job: "j", by: "week", workflow: "w.toml", execute: true });
    expect([...(req.meta ?? [])]).toEqual([["k", ["a", "b"]]]);
  });

  it.each([
    [[], "the backload request must be a JSON object"],
    [{ Task: 1 }, "task: must be a string"],
    [{ meta: { a: "1", b: ["2"] } }, "meta: values must be all strings or all arrays of strings, not a mix"],
    [{ meta: { a: [1] } }, "meta.a: values must be strings"],
    [{ Execute: "yes" }, "Execute: must be true or false"],
  ])("refuses %j", (body, message) => {
    expect(() => parseBackloadRequest(body)).toThrow(InputError);
    expect(() => parseBackloadRequest(body)).toThrow(message);
  });
});
