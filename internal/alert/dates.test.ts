import { describe, expect, it } from "vitest";
import { printDates } from "./dates.ts";

/** `2018-04-09T03` → that hour in UTC. */
const hour = (s: string) => new Date(`${s}:00:00Z`);
const hours = (...s: string[]) => s.map(hour);

describe("printDates", () => {
  it("prints nothing for no dates and the hour for one", () => {
    expect(printDates([])).toBe("");
    expect(printDates([hour("2018-04-09T03")])).toBe("2018/04/09T03");
  });

  it("prints hourly runs and singletons (the flowlord example)", () => {
    const times = hours("2018-04-09T03", "2018-04-09T04", "2018-04-09T05", "2018-04-09T11");
    expect(printDates(times)).toBe("2018/04/09T03-2018/04/09T05,2018/04/09T11");
  });

  it("sorts first and does not change its input", () => {
    const times = hours("2018-04-09T11", "2018-04-09T05", "2018-04-09T03", "2018-04-09T04");
    const copy = [...times];
    expect(printDates(times)).toBe("2018/04/09T03-2018/04/09T05,2018/04/09T11");
    expect(times).toEqual(copy);
  });

  it("treats exact duplicates as consecutive and a run of duplicates as a singleton", () => {
    const times = hours("2018-04-09T03", "2018-04-09T03", "2018-04-09T04", "2018-04-09T09", "2018-04-09T09");
    expect(printDates(times)).toBe("2018/04/09T03-2018/04/09T04,2018/04/09T09");
    expect(printDates(hours("2018-04-09T03", "2018-04-09T03"))).toBe("2018/04/09T03");
  });

  it("prints daily ranges when no day repeats but a month does", () => {
    const times = hours("2018-04-09T00", "2018-04-10T00", "2018-04-11T00", "2018-04-20T00", "2018-04-30T00");
    expect(printDates(times)).toBe("2018/04/09-2018/04/11,2018/04/20T00,2018/04/30T00");
  });

  it("runs daily across a month end, whatever the hour", () => {
    const times = hours("2018-03-30T05", "2018-03-31T07", "2018-04-01T02", "2018-04-02T23");
    expect(printDates(times)).toBe("2018/03/30-2018/04/02");
  });

  it("prints monthly ranges when no month repeats", () => {
    const times = hours("2018-11-01T00", "2018-12-01T00", "2019-01-15T00", "2019-04-01T00");
    expect(printDates(times)).toBe("2018/11-2019/01,2019/04/01T00");
  });

  it("downgrades to hourly as soon as one day repeats", () => {
    // The 10th would be the next day, but hourly steps are what count once two times share a day.
    const times = hours("2018-04-09T22", "2018-04-09T23", "2018-04-10T00", "2018-04-11T00");
    expect(printDates(times)).toBe("2018/04/09T22-2018/04/10T00,2018/04/11T00");
  });

  it("does not let duplicates downgrade the granularity", () => {
    const times = hours("2018-01-01T00", "2018-01-01T00", "2018-02-01T00");
    expect(printDates(times)).toBe("2018/01-2018/02");
  });

  it("uses UTC and truncates to the hour", () => {
    const times = [new Date("2018-04-09T03:10:00Z"), new Date("2018-04-09T03:50:00Z"), hour("2018-04-09T04")];
    expect(printDates(times)).toBe("2018/04/09T03-2018/04/09T04");
  });
});
