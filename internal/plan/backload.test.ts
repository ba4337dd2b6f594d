import { describe, expect, it } from "vitest";
import { InputError } from "../errors/index.ts";
import { planBackload, prepareBackload } from "./backload.ts";
import { row, snapshotOf, testContext } from "./fixture.ts";
import { backloadMetaFiles } from "./metafiles.ts";
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

  it("refuses a backload of more than 100 000 tasks as the request's fault (an InputError), before making any", () => {
    const body = { Task: "plain", From: "2010-01-01T00", To: "2021-12-31T23", By: "hour" };
    expect(() => plan(body)).toThrow(InputError);
    expect(() => plan(body)).toThrow(
      "the backload would create 105192 tasks (105192 hours), more than the limit of 100000: split the range",
    );
    const rows = {
      Task: "sales:daily",
      From: "1900-01-01",
      To: "2024-01-01",
      meta: { region: ["a", "b", "c"] },
    };
    expect(() => plan(rows)).toThrow("(45291 days × 3 rows)");
    const lists = { Task: "sales:daily", meta: { a: ["1", "2"], b: ["1"] } };
    expect(() => plan(lists)).toThrow(InputError);
  });

  it("steps months from years below 100 in those years (year 1 is not 1901)", () => {
    const p = plan({ Task: "plain", From: "0001-01-31", To: "0001-04-30", By: "month" });
    expect(infos(p)).toEqual([
      "?h=0001-01-31T00",
      "?h=0001-02-28T00",
      "?h=0001-03-31T00",
      "?h=0001-04-30T00",
    ]);
    const across = plan({ Task: "plain", From: "0099-11-30T05", To: "0100-01-30T05", By: "monthly" });
    expect(infos(across)).toEqual(["?h=0099-11-30T05", "?h=0099-12-30T05", "?h=0100-01-30T05"]);
  });

  it("gives every task of one request its own dedupe key, and a new request new keys", () => {
    const body = { Task: "plain", From: "2024-01-01T00", To: "2024-01-01T03", By: "hour" };
    const first = plan(body).emissions.map((e) => e.dedupeKey);
    expect(new Set(first).size).toBe(4);
    expect(plan(body).emissions.map((e) => e.dedupeKey)).toEqual(first); // same ids from the fixed context
  });
});

describe("prepareBackload", () => {
  it("counts ten years by the hour without making the tasks, and makes any slice of them on request", () => {
    const ctx = testContext();
    let ids = 0;
    const counting = { ...ctx, newId: () => `${++ids}`.padStart(12, "0") };
    const req = parseBackloadRequest({
      Task: "plain",
      From: "2014-01-01T00",
      To: "2023-12-31T23",
      By: "hour",
    });
    const slots = prepareBackload(snapshot, req, counting);
    expect(slots.count).toBe(87_648);
    expect(ids).toBe(1); // the request's id: no task made yet
    const page = slots.emissions(100, 200);
    expect(page.map((e) => e.task.info).slice(0, 2)).toEqual(["?h=2014-01-05T04", "?h=2014-01-05T05"]);
    expect(page.map((e) => e.dedupeKey)[0]).toBe("backload|000000000001|100");
    expect(slots.emissions(87_640, 90_000).map((e) => e.task.info)).toHaveLength(8);
  });

  it.each([
    ["a reversed range", { Task: "plain", From: "2024-01-03T02", To: "2024-01-01T00", By: "hour" }],
    ["rows of meta", { Task: "sales:daily", From: "2024-01-01", To: "2024-01-09" }],
    [
      "a reversed range with rows",
      { Task: "sales:daily", From: "2024-03-31", To: "2024-01-31", By: "month" },
    ],
  ])("gives, slice by slice, exactly the tasks of the whole plan: %s", (_name, body) => {
    const whole = plan(body).emissions.map((e) => [e.task.info, e.task.meta, e.dedupeKey]);
    const slots = prepareBackload(snapshot, parseBackloadRequest(body), testContext());
    const sliced = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50].flatMap((i) => slots.emissions(i, i + 5));
    expect(sliced.map((e) => [e.task.info, e.task.meta, e.dedupeKey])).toEqual(whole);
    expect(slots.count).toBe(whole.length);
  });

  it("names the meta-file the backload reads, so it can be read before planning", () => {
    const req = (body: object) => parseBackloadRequest(body);
    expect(backloadMetaFiles(snapshot, req({ Task: "report" }))).toEqual(["customers.ndjson"]);
    expect(backloadMetaFiles(snapshot, req({ Task: "report", "meta-file": "other/*.csv" }))).toEqual([
      "other/*.csv",
    ]);
    expect(backloadMetaFiles(snapshot, req({ Task: "report", meta: { id: "1" } }))).toEqual([]);
    expect(backloadMetaFiles(snapshot, req({ Task: "sales:daily" }))).toEqual([]);
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
