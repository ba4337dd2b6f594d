import { describe, expect, it } from "vitest";
import type { MetaRow } from "../rule/index.ts";
import { MetaFileError } from "../workflow/index.ts";
import { metaFileSource } from "./source.ts";

const row = (from: string): MetaRow => new Map([["from", from]]);

describe("metaFileSource", () => {
  it("reads bucket patterns through the remote reader and the rest locally, each once, failures as values", async () => {
    const asked: string[][] = [];
    const local: string[] = [];
    const source = metaFileSource({
      isRemote: (p) => p.startsWith("s3://"),
      remote: {
        fetch: async (patterns) => {
          asked.push([...patterns]);
          return new Map(patterns.map((p): [string, MetaRow[]] => [p, [row(p)]]));
        },
      },
      loadLocal: async (pattern) => {
        local.push(pattern);
        if (pattern === "gone.csv") throw new MetaFileError("no files found for gone.csv");
        if (pattern === "locked.csv") throw new Error("EACCES: permission denied");
        return [row(pattern)];
      },
    });
    const got = await source.load([
      "s3://b/a.ndjson",
      "rows/*.csv",
      "s3://b/a.ndjson",
      "gone.csv",
      "locked.csv",
    ]);
    expect(asked).toEqual([["s3://b/a.ndjson"]]);
    expect(local).toEqual(["rows/*.csv", "gone.csv", "locked.csv"]);
    expect(got.get("s3://b/a.ndjson")).toEqual([row("s3://b/a.ndjson")]);
    expect(got.get("rows/*.csv")).toEqual([row("rows/*.csv")]);
    expect(got.get("gone.csv")).toBeInstanceOf(MetaFileError);
    const locked = got.get("locked.csv");
    expect(locked).toBeInstanceOf(MetaFileError);
    expect((locked as Error).message).toBe("locked.csv: cannot read (EACCES: permission denied)");
  });
});
