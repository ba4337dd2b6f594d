import { describe, expect, it } from "vitest";
import type { Task } from "../task/index.ts";
import { metaFromLine, substituteArgs } from "./args.ts";

const task: Task = {
  type: "sort",
  job: "daily",
  info: "gs://b/in.json?date=2026-01-02",
  id: "id-1",
  meta: "file=gs://b/in.json&n=3",
};

describe("substituteArgs", () => {
  it("replaces every placeholder, in any position and more than once", () => {
    expect(
      substituteArgs(["--in={info}", "{id}", "{type}/{job}/{type}", "{meta:file}", "{meta:n}x"], task),
    ).toEqual(["--in=gs://b/in.json?date=2026-01-02", "id-1", "sort/daily/sort", "gs://b/in.json", "3x"]);
  });

  it("gives '' for what the task lacks, and takes the job from meta as flowlord does", () => {
    const bare: Task = { type: "t", info: "", meta: "job=from-meta" };
    expect(substituteArgs(["[{id}]", "[{job}]", "[{meta:nope}]", "[{info}]"], bare)).toEqual([
      "[]",
      "[from-meta]",
      "[]",
      "[]",
    ]);
  });

  it("leaves other braces alone and does not substitute inside substituted values", () => {
    const tricky: Task = { type: "t", info: "{id}", id: "X" };
    expect(substituteArgs(["{info}", "{other}", "{", "{meta:}", "{INFO}"], tricky)).toEqual([
      "{id}",
      "{other}",
      "{",
      "",
      "{INFO}",
    ]);
  });

  it("decodes escaped meta", () => {
    expect(substituteArgs(["{meta:q}"], { type: "t", info: "", meta: "q=a%26b+c" })).toEqual(["a&b c"]);
  });
});

describe("metaFromLine", () => {
  it("reads the pairs of a ::meta line", () => {
    expect(metaFromLine("::meta file=gs://b/x.json&rows=10")).toEqual(
      new Map([
        ["file", "gs://b/x.json"],
        ["rows", "10"],
      ]),
    );
    expect(metaFromLine("::meta k=v\r")).toEqual(new Map([["k", "v"]]));
  });

  it("ignores every other line", () => {
    expect(metaFromLine("meta k=v")).toBeUndefined();
    expect(metaFromLine(" ::meta k=v")).toBeUndefined();
    expect(metaFromLine("::metak=v")).toBeUndefined();
  });
});
