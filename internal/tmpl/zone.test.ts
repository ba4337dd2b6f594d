import { describe, expect, it } from "vitest";
import { changeBetween, instantOfWall, offsetAt, recentChange, wallOf } from "./zone.ts";

const hour = 3_600_000;
const t = (text: string) => Date.parse(text);

describe("offsetAt and wallOf", () => {
  it("reads New York's offset in winter and summer, and UTC's", () => {
    expect(offsetAt(t("2026-01-15T12:00:00Z"), "America/New_York")).toBe(-5 * hour);
    expect(offsetAt(t("2026-07-15T12:00:00Z"), "America/New_York")).toBe(-4 * hour);
    expect(offsetAt(t("2026-07-15T12:00:00Z"), "Asia/Kolkata")).toBe(5.5 * hour);
    expect(offsetAt(t("2026-07-15T12:00:00Z"), "UTC")).toBe(0);
    expect(wallOf(t("2026-01-15T12:00:00.250Z"), "America/New_York")).toBe(t("2026-01-15T07:00:00.250Z"));
  });

  it("changes at the exact second", () => {
    // 2026-03-08 02:00 EST is 07:00Z; 2026-11-01 02:00 EDT is 06:00Z.
    expect(offsetAt(t("2026-03-08T06:59:59Z"), "America/New_York")).toBe(-5 * hour);
    expect(offsetAt(t("2026-03-08T07:00:00Z"), "America/New_York")).toBe(-4 * hour);
    expect(changeBetween(t("2026-03-01T00:00:00Z"), t("2026-03-15T00:00:00Z"), "America/New_York")).toEqual({
      at: t("2026-03-08T07:00:00Z"),
      before: -5 * hour,
      after: -4 * hour,
    });
    expect(recentChange(t("2026-11-01T06:30:00Z"), "America/New_York", 3 * hour)).toEqual({
      at: t("2026-11-01T06:00:00Z"),
      before: -4 * hour,
      after: -5 * hour,
    });
    expect(recentChange(t("2026-11-01T09:30:00Z"), "America/New_York", 3 * hour)).toBeUndefined();
  });
});

describe("instantOfWall", () => {
  const ny = (wall: string) => instantOfWall(t(`${wall}Z`), "America/New_York");

  it("maps a wall that happens once", () => {
    expect(ny("2026-03-08T01:59:00")).toEqual({ kind: "normal", at: t("2026-03-08T06:59:00Z") });
    expect(ny("2026-03-08T03:00:00")).toEqual({ kind: "normal", at: t("2026-03-08T07:00:00Z") });
  });

  it("reads a skipped wall with the offset before the gap (02:30 EST is 03:30 EDT)", () => {
    expect(ny("2026-03-08T02:30:00")).toEqual({
      kind: "skipped",
      at: t("2026-03-08T07:30:00Z"),
      endWall: t("2026-03-08T03:00:00Z"),
    });
  });

  it("gives both times of a repeated wall, the first first", () => {
    expect(ny("2026-11-01T01:30:00")).toEqual({
      kind: "repeated",
      at: t("2026-11-01T05:30:00Z"),
      again: t("2026-11-01T06:30:00Z"),
      endWall: t("2026-11-01T02:00:00Z"),
    });
    expect(ny("2026-11-01T02:00:00")).toEqual({ kind: "normal", at: t("2026-11-01T07:00:00Z") });
  });

  it("handles a 30-minute change (Lord Howe Island, +10:30/+11)", () => {
    // 2026-10-04 02:00 local (+10:30) jumps to 02:30 (+11).
    expect(instantOfWall(t("2026-10-04T02:10:00Z"), "Australia/Lord_Howe")).toEqual({
      kind: "skipped",
      at: t("2026-10-03T15:40:00Z"),
      endWall: t("2026-10-04T02:30:00Z"),
    });
  });
});
