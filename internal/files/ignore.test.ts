import { describe, expect, it } from "vitest";
import { ignoredBelow, isSkippedDir, isTempName } from "./ignore.ts";

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

describe("ignoredBelow", () => {
  const file = { isFile: () => true };
  const folder = { isFile: () => false };

  it("never ignores the watched folder itself, whatever its name", () => {
    expect(ignoredBelow("/srv/.incoming", "/srv/.incoming", folder)).toBe(false);
    expect(ignoredBelow("/srv/.incoming", "/srv/.incoming/a.csv", file)).toBe(false);
  });

  it("ignores temporary files and hidden or temporary folders below it", () => {
    expect(ignoredBelow("/in", "/in/.a.csv.tmp", file)).toBe(true);
    expect(ignoredBelow("/in", "/in/4913", file)).toBe(true);
    expect(ignoredBelow("/in", "/in/.staging", folder)).toBe(true);
    expect(ignoredBelow("/in", "/in/4913", folder)).toBe(false);
  });

  it("decides without stats only what holds for files and folders alike", () => {
    expect(ignoredBelow("/in", "/in/a.csv.part")).toBe(true);
    expect(ignoredBelow("/in", "/in/4913")).toBe(false);
  });
});
