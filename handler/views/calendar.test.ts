import { describe, expect, it } from "vitest";
import { Calendar, shiftMonth } from "./calendar.tsx";

describe("the calendar", () => {
  it("moves between months, keeping the day where the month has it", () => {
    expect(shiftMonth("2024-01-31", 1)).toBe("2024-02-29");
    expect(shiftMonth("2024-03-31", -1)).toBe("2024-02-29");
    expect(shiftMonth("2024-12-15", 1)).toBe("2025-01-15");
  });

  it("keeps years below 100 in those years (not 19xx), written with four digits", () => {
    expect(shiftMonth("0050-03-15", -1)).toBe("0050-02-15");
    expect(shiftMonth("0001-01-31", -1)).toBe("0000-12-31");
    expect(shiftMonth("0004-01-31", 1)).toBe("0004-02-29"); // year 4 is a leap year, as 1904 is; 0050 and 1950 are not
    const page = String(
      Calendar({ day: "0050-03-15", days: [], today: "2024-01-15", path: "/web/tasks", params: {} }),
    );
    expect(page).toContain('aria-label="0050-03-31"');
    expect(page).toContain("date=0050-02-15");
    expect(page).not.toContain("1950");
    // 1 March 0050 was a Tuesday (1 March 1950 a Wednesday): one blank before it, Monday first.
    expect(page).toMatch(/>Su<\/span><span><\/span><a href="\/web\/tasks\?date=0050-03-01"/);
  });
});
