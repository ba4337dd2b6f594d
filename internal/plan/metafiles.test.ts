import { describe, expect, it } from "vitest";
import { planBackload } from "./backload.ts";
import { planCron } from "./cron.ts";
import { row, snapshotOf, testContext } from "./fixture.ts";
import {
  backloadMetaFiles,
  cronMetaFiles,
  doneMetaFiles,
  launchMetaFiles,
  withFetchedMetaFiles,
} from "./metafiles.ts";
import { parseBackloadRequest } from "./request.ts";

const snapshot = snapshotOf({
  "w.toml": `
[[phase]]
task = "extract"
rule = "cron=0 0 4 * * *&meta-file=s3://b/extract.ndjson"
template = "?d={yyyy}-{mm}-{dd}"

[[phase]]
task = "load"
dependsOn = "extract"
rule = "meta-file=gs://b/regions/*.csv"
template = "?r={meta:region}"

[[phase]]
task = "note"
dependsOn = "extract"
template = "?n=1"
`,
});
const phase = (key: string) => snapshot.phases.find((p) => p.key === key) ?? expect.unreachable();

describe("the meta-files a plan reads", () => {
  it("names a cron phase's own, and a complete parent's children's (an error has none)", () => {
    expect(cronMetaFiles(phase("extract"))).toEqual(["s3://b/extract.ndjson"]);
    expect(cronMetaFiles(phase("note"))).toEqual([]);
    const done = { type: "extract", info: "", meta: "workflow=w.toml", result: "complete" as const };
    expect(doneMetaFiles(snapshot, done)).toEqual(["gs://b/regions/*.csv"]);
    expect(doneMetaFiles(snapshot, { ...done, result: "error" })).toEqual([]);
    expect(doneMetaFiles(snapshot, { ...done, meta: "" })).toEqual([]);
  });

  it("names a backload's or launch's meta-file unless the caller gives the rows", () => {
    const req = (body: object) => parseBackloadRequest({ Task: "extract", ...body });
    expect(backloadMetaFiles(snapshot, req({}))).toEqual(["s3://b/extract.ndjson"]);
    expect(backloadMetaFiles(snapshot, req({ "meta-file": "gs://b/x.csv" }))).toEqual(["gs://b/x.csv"]);
    expect(backloadMetaFiles(snapshot, req({ meta: { d: "1" } }))).toEqual([]);
    const launch = { workflow: "w.toml", phase: "extract", at: "", info: "", meta: new Map() };
    expect(launchMetaFiles(snapshot, launch)).toEqual(["s3://b/extract.ndjson"]);
    expect(launchMetaFiles(snapshot, { ...launch, meta: new Map([["d", "1"]]) })).toEqual([]);
  });
});

describe("withFetchedMetaFiles", () => {
  it("plans with the fetched rows, and raises a failed fetch as the batch's alert", () => {
    const fetched = new Map([["s3://b/extract.ndjson", [row({ id: "a" }), row({ id: "b" })]]]);
    const ctx = withFetchedMetaFiles(testContext(), fetched);
    const plan = planCron(phase("extract"), new Date("2024-03-01T04:00:00Z"), ctx);
    expect(plan.emissions).toHaveLength(2);
    const failed = new Map([
      ["s3://b/extract.ndjson", new Error("no files found for s3://b/extract.ndjson")],
    ]);
    const alerts = planCron(
      phase("extract"),
      new Date("2024-03-01T04:00:00Z"),
      withFetchedMetaFiles(testContext(), failed),
    );
    expect(alerts.alerts.map((a) => a.message)).toEqual([
      "batch for w.toml: extract at 2024-03-01T04 failed: no files found for s3://b/extract.ndjson",
    ]);
  });

  it("reads what was not fetched as before", () => {
    const ctx = withFetchedMetaFiles(
      testContext({ metaFiles: { "local.csv": [row({ id: "x" })] } }),
      new Map([["s3://b/y", []]]),
    );
    const plan = planBackload(
      snapshot,
      parseBackloadRequest({ Task: "extract", "meta-file": "local.csv", At: "2024-03-01" }),
      ctx,
    );
    expect(plan.emissions).toHaveLength(1);
  });
});
