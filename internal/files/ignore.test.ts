import { describe, expect, it } from "vitest";
import { isSkippedDir, isTempName } from "./ignore.ts";

describe("isTempName", () => {
  it.each([
    "/in/.sales.csv.tmp",
    "/in/.sales.csv.swp",
    "/in/.hidden",
    "/in/.#sales.csv",
    "/in/sales.csv~",
    "/in/sales.csv.tmp",
    "/in/sales.csv.TMP",
    "/in/sales.temp",
    "/in/sales.csv.swx",
    "/in/sales.csv.swo",
    "/in/sales.csv.part",
    "/in/sales.csv.Partial",
    "/in/sales.csv.crdownload",
    "/in/sales.csv.filepart",
    "/in/sales.csv.download",
    "/in/#sales.csv#",
    "/in/4913",
    "4913",
  ])("%s is temporary", (path) => {
    expect(isTempName(path)).toBe(true);
  });

  it.each([
    "/in/sales.csv",
    "/in/sales.tmp.csv",
    "/in/partial.csv",
    "/in/49130",
    "/in/#sales.csv",
    "/in/#",
    "/in/download",
    "/.hidden/sales.csv",
    "sales.csv",
  ])("%s is a real file", (path) => {
    expect(isTempName(path)).toBe(false);
  });
});

describe("isSkippedDir", () => {
  it("skips hidden and temporary folders", () => {
    expect(isSkippedDir("/in/.staging")).toBe(true);
    expect(isSkippedDir("/in/.git")).toBe(true);
    expect(isSkippedDir("/in/upload.partial")).toBe(true);
  });

  it("keeps folders named like vim's probe or emacs autosaves, which are file-only conventions", () => {
    expect(isSkippedDir("/in/4913")).toBe(false);
    expect(isSkippedDir("/in/#x#")).toBe(false);
    expect(isSkippedDir("/in/2024-01-01")).toBe(false);
  });
});
