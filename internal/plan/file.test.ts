import { describe, expect, it } from "vitest";
import { parseMeta } from "../task/index.ts";
import { planFile } from "./file.ts";
import { snapshotOf, testContext } from "./fixture.ts";

// flowlord's TestTaskMaster_MatchFile (reference §10.6).
const snapshot = snapshotOf({
  "basic.toml": '[[phase]]\ntask = "basic"\nrule = "files=gs://*/*/*.txt"\ntemplate = "{meta:file}"\n',
  "data.toml":
    '[[phase]]\ntask = "data"\nrule = "files=gs://*/*/data.txt&job=1"\ntemplate = "{meta:filename}"\n',
});

const shape = (plan: ReturnType<typeof planFile>) =>
  plan.emissions.map((e) => ({
    type: e.task.type,
    job: e.task.job ?? "",
    info: e.task.info,
    meta: Object.fromEntries(parseMeta(e.task.meta)),
  }));

describe("planFile", () => {
  it("matches one phase, with file, filename, workflow and the rule's keys in the meta", () => {
    expect(shape(planFile(snapshot, { path: "gs://bucket/path/file.txt" }, testContext()))).toEqual([
      {
        type: "basic",
        job: "",
        info: "gs://bucket/path/file.txt",
        meta: {
          file: "gs://bucket/path/file.txt",
          filename: "file.txt",
          files: "gs://*/*/*.txt",
          workflow: "basic.toml",
        },
      },
    ]);
  });

  it("says why nothing matched", () => {
    const plan = planFile(snapshot, { path: "/path/to/file.txt" }, testContext());
    expect(plan.emissions).toEqual([]);
    expect(plan.notes).toEqual(['no match found for "/path/to/file.txt"']);
  });

  it("lets one file trigger phases in several workflows", () => {
    expect(shape(planFile(snapshot, { path: "gs://bucket/group/data.txt" }, testContext()))).toEqual([
      {
        type: "basic",
        job: "",
        info: "gs://bucket/group/data.txt",
        meta: {
          file: "gs://bucket/group/data.txt",
          filename: "data.txt",
          files: "gs://*/*/*.txt",
          workflow: "basic.toml",
        },
      },
      {
        type: "data",
        job: "1",
        info: "data.txt",
        meta: {
          file: "gs://bucket/group/data.txt",
          filename: "data.txt",
          files: "gs://*/*/data.txt",
          job: "1",
          workflow: "data.toml",
        },
      },
    ]);
  });

  it("takes the template's time from the path and matches ** across folders", () => {
    const s = snapshotOf({
      "in.toml":
        '[[phase]]\ntask = "ingest"\nrule = "files=/data/**/*.csv"\ntemplate = "{meta:file}?day={yyyy}-{mm}-{dd}&h={hh}"\n',
    });
    const plan = planFile(s, { path: "/data/2024/01/15/08/sales.csv" }, testContext());
    expect(plan.emissions.map((e) => e.task.info)).toEqual([
      "/data/2024/01/15/08/sales.csv?day=2024-01-15&h=08",
    ]);
  });

  it("leaves time tokens when the path has no time", () => {
    const s = snapshotOf({
      "in.toml": '[[phase]]\ntask = "ingest"\nrule = "files=/in/*.csv"\ntemplate = "{yyyy}"\n',
    });
    expect(planFile(s, { path: "/in/x.csv" }, testContext()).emissions[0]?.task.info).toBe("{yyyy}");
  });

  it("keys each task by workflow, phase and the file's path, size and modification time", () => {
    const file = { path: "gs://b/p/x.txt", size: 10, modified: "2024-01-15T10:00:00Z" };
    const [first] = planFile(snapshot, file, testContext()).emissions;
    expect(first?.dedupeKey).toBe("file|basic.toml|basic|gs://b/p/x.txt|10|2024-01-15T10:00:00Z");
    const [rewritten] = planFile(snapshot, { ...file, size: 11 }, testContext()).emissions;
    expect(rewritten?.dedupeKey).not.toBe(first?.dedupeKey);
  });
});
