import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { infoTime, pathTime, taskTime, uriPath } from "./tasktime.ts";

/** Results shown as `YYYY-MM-DDTHH:MM:SS.mmm` (UTC fields of the wall clock), or null. */
const show = (d: Date | null) => (d === null ? null : d.toISOString().slice(0, -1));

describe("pathTime", () => {
  it.each([
    // Each rule on its own.
    ["/path/file_20200102T030405.json", "2020-01-02T03:04:05.000"],
    ["/2020/01/02/03/file.json", "2020-01-02T03:00:00.000"],
    ["/2020/01/02/file.json", "2020-01-02T00:00:00.000"],
    ["/data/2020-01-02/file.json", "2020-01-02T00:00:00.000"],
    ["/data/file-2020-01-02.json", "2020-01-02T00:00:00.000"],
    ["/2020/01/file.json", "2020-01-01T00:00:00.000"],
    ["2020/01", "2020-01-01T00:00:00.000"],
    // Precedence: an earlier rule wins even where a later one matches further left.
    ["/2019/12/31/23/f_20200102T030405.gz", "2020-01-02T03:04:05.000"],
    ["/2020-05-06/2020/01/02/03/f", "2020-01-02T03:00:00.000"],
    ["/2020-05-06/2020/01/02/f", "2020-01-02T00:00:00.000"],
    ["/2019/07/x/2020-05-06/f", "2020-05-06T00:00:00.000"],
    // The stamp rule looks at the basename only.
    ["/20200102T030405/data/2019/05/f.gz", "2019-05-01T00:00:00.000"],
    // Leftmost occurrence within a rule.
    ["/2020/01/02/x/2021/03/04/f", "2020-01-02T00:00:00.000"],
    ["/a_20200102T030405_20210102T030405.gz", "2020-01-02T03:04:05.000"],
    // No date.
    ["/data/file.json", null],
    ["", null],
    ["/2020/1/2/file.json", null],
  ])("%j is %s", (path, expected) => {
    expect(show(pathTime(path))).toBe(expected);
  });

  it.each([
    // The matching rule decides: an invalid date is null, not a later rule's answer.
    ["/2020/01/02/f_20201302T000000.json", "month 13 in the stamp"],
    ["/2020/01/02/f_20200102T240000.json", "hour 24 in the stamp"],
    ["/2020/01/02/24/f.json", "hour 24 (rule 3 would give 2020-01-02)"],
    ["/2020/02/30/f.json", "Feb 30 (rule 5 would give 2020-02-01)"],
    ["/2021-02-29/f.json", "Feb 29 in a common year"],
    ["/2020/13/f.json", "month 13"],
    ["/2020/00/f.json", "month 0"],
    ["/20200102T030405/2019", "leftmost 0405/20 is month 20"],
  ])("%j is null: %s", (path) => {
    expect(pathTime(path)).toBeNull();
  });
});

describe("uriPath", () => {
  it.each([
    ["gs://bucket/2020/01/02/f.json?x=1", "/2020/01/02/f.json"],
    ["s3://bucket", ""],
    ["file:///data/f.json#frag", "/data/f.json"],
    ["/data/f.json?day=2020-01-01", "/data/f.json"],
    ["data/f.json#x?y", "data/f.json"],
    ["?day=2020-01-01", ""],
    ["gs://b/2020%2F01%2F02/f", "/2020/01/02/f"],
    ["gs://b/bad%zz/f", "/bad%zz/f"],
    ["urn:2020/01/02", ""],
    ["//host/path", "/path"],
  ])("%j has path %j", (info, path) => {
    expect(uriPath(info)).toBe(path);
  });
});

describe("infoTime", () => {
  it.each([
    // a. RFC 3339 after day|date|time|timestamp.
    ["?time=2020-03-05T07:08:09Z", "2020-03-05T07:08:09.000"],
    ["gs://b/f.json?timestamp=2020-03-05T07:08:09Z", "2020-03-05T07:08:09.000"],
    ["?day=2020-03-05T07:08:09Z", "2020-03-05T07:08:09.000"],
    ["?date=2020-03-05T07:08:09Z", "2020-03-05T07:08:09.000"],
    ["?time=2020-03-05T07:08:09.75Z", "2020-03-05T07:08:09.750"],
    ["?time=2020-03-05T07:08:09+07:00", "2020-03-05T00:08:09.000"],
    ["?time=2020-03-05T22:00:00-05:00", "2020-03-06T03:00:00.000"],
    // b. An hour after date|hour|hour_utc.
    ["?hour=2020-03-05T07", "2020-03-05T07:00:00.000"],
    ["?hour_utc=2020-03-05T07", "2020-03-05T07:00:00.000"],
    ["?date=2020-03-05T07", "2020-03-05T07:00:00.000"],
    ["?hour=2020-03-05T07:30", "2020-03-05T07:00:00.000"],
    // c. A day after day|date.
    ["?day=2020-03-05", "2020-03-05T00:00:00.000"],
    ["?date=2020-03-05", "2020-03-05T00:00:00.000"],
    ["day=2020-03-05", "2020-03-05T00:00:00.000"],
    ["?map=day:2020-03-05", "2020-03-05T00:00:00.000"],
    ["gs://bucket/table/date=2020-01-01/part-0.parquet", "2020-01-01T00:00:00.000"],
    ["?a=1;day=2020-03-05", "2020-03-05T00:00:00.000"],
    ["?list=x,day=2020-03-05", "2020-03-05T00:00:00.000"],
    ["run for day=2020-03-05", "2020-03-05T00:00:00.000"],
    // d. Otherwise the path.
    ["gs://bucket/2020/01/02/f.json?x=1", "2020-01-02T00:00:00.000"],
    ["/data/2020/01/02/03/f.json", "2020-01-02T03:00:00.000"],
    ["/data/2020/01/02/f.json?x=2021/05/06", "2020-01-02T00:00:00.000"],
    ["gs://bucket/f_20200102T030405.gz", "2020-01-02T03:04:05.000"],
    // A path whose digits are all percent escapes.
    ["/%32%30%32%30%2F%30%31%2F%30%32/f.json", "2020-01-02T00:00:00.000"],
    // Precedence between rules, regardless of position.
    ["?hour=2020-01-01T05&time=2020-02-02T03:04:05Z", "2020-02-02T03:04:05.000"],
    ["?day=2020-01-01&hour=2020-02-02T03", "2020-02-02T03:00:00.000"],
    ["gs://b/2019/01/01/f?day=2020-05-05", "2020-05-05T00:00:00.000"],
    ["?day=2020-05-05&day=2020-06-06", "2020-05-05T00:00:00.000"],
    // The key must start a segment (flowlord matched inside birthday=, update=, datetime=).
    ["gs://b/2019/01/01/f?birthday=2020-01-01", "2019-01-01T00:00:00.000"],
    ["gs://b/2019/01/01/f?update=2020-01-01", "2019-01-01T00:00:00.000"],
    ["gs://b/2019/01/01/f?runtime=2020-01-01T00:00:00Z", "2019-01-01T00:00:00.000"],
    ["gs://b/2019/01/01/f?x=1&workday=2020-01-01&day=2020-07-07", "2020-07-07T00:00:00.000"],
  ])("%j is %s", (info, expected) => {
    expect(show(infoTime(info))).toBe(expected);
  });

  it.each([
    ["?update=2020-01-01", "unanchored key"],
    ["?birthday=2020-01-01", "unanchored key"],
    ["?Day=2020-01-01", "keys are case-sensitive, as in flowlord"],
    ["?hourly=2020-01-01T05", "the key must be followed by = or :"],
    ["?time=2020-03-05", "time= takes a full RFC 3339 value"],
    ["?x=2020/01/02", "a query value is not the path"],
    ["gs://b/f.json#2020/01/02", "a fragment is not the path"],
    ["gs://2020/01/f.json", "the bucket is not the path"],
    ["?day=2020-02-30", "an invalid day"],
    ["gs://b/2020/01/02/f?day=2020-02-30", "an invalid day does not fall through to the path"],
    ["?date=2020-01-02T25:00:00Z", "an invalid RFC 3339 hour does not fall through"],
    ["?hour=2020-01-02T24", "an invalid hour"],
    ["?time=2020-01-02T03:04:05+25:00", "an invalid offset"],
    ["", "empty info"],
  ])("%j is null: %s", (info) => {
    expect(infoTime(info)).toBeNull();
  });

  it("never throws, and returns null or a valid Date", () => {
    const piece = fc.constantFrom(
      "day=",
      "date:",
      "hour=",
      "/",
      "?",
      "&",
      "#",
      "%",
      "2020",
      "-01",
      "T03",
      ":04",
      "Z",
    );
    const text = fc.oneof(
      fc.string(),
      fc.array(piece).map((p) => p.join("")),
    );
    fc.assert(
      fc.property(text, (info) => {
        const t = infoTime(info);
        expect(t === null || !Number.isNaN(t.getTime())).toBe(true);
      }),
    );
  });
});

describe("taskTime", () => {
  const info = "gs://bucket/f.json?day=2020-03-05";
  it.each([
    [{ cron: "2024-01-15T08" }, info, "2024-01-15T08:00:00.000"],
    [{ cron: "2024-01-15T08", other: "x" }, "", "2024-01-15T08:00:00.000"],
    [{ cron: "2024-13-01T00" }, info, "2020-03-05T00:00:00.000"],
    [{ cron: "2024-01-15" }, info, "2020-03-05T00:00:00.000"],
    [{ cron: "" }, info, "2020-03-05T00:00:00.000"],
    [{}, info, "2020-03-05T00:00:00.000"],
    [{ day: "2024-01-15" }, "gs://bucket/f.json", null],
    [{}, "", null],
  ])("meta %j, info %j is %s", (meta, taskInfo, expected) => {
    expect(show(taskTime(new Map(Object.entries(meta)), taskInfo))).toBe(expected);
  });
});
