// The tasks page's order, hourly chart and calendar, through `app.request()` over a real cache file holding one run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryFile } from "../test/helpers/records.ts";
import type { AppDeps } from "./app.ts";
import { historyOf, oneRunStore, testApp } from "./fixture.ts";

let store: HistoryFile;
let close: () => void;
beforeAll(async () => {
  ({ store, close } = oneRunStore());
});
afterAll(() => close());

function app(over: Partial<AppDeps> = {}) {
  return testApp(historyOf(store, { daysWith: () => ["2024-01-15"] }), over);
}

const as = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe("sorting, the hourly chart and the calendar", () => {
  const cookie = { headers: { Cookie: "taskmaster_token=r-token" } };
  const page = async (path: string) => (await app().request(path, cookie)).text();
  /** A link's address as the browser reads it (attributes come HTML-escaped). */
  const url = (href: string | undefined) =>
    new URL((href ?? "").replaceAll("&amp;", "&"), "http://taskmaster");
  /** The link of a calendar day, found by the label a screen reader reads. */
  const dayLink = (html: string, label: string) =>
    new RegExp(`<a href="([^"]*)"([^>]*) aria-label="${label}"`).exec(html) ?? undefined;

  it("orders the API's tasks by the column and direction asked for", async () => {
    const keys = async (query: string) => {
      const r = await app().request(`/api/v1/tasks?date=2024-01-15&${query}`, as("r-token"));
      return ((await r.json()) as { rows: { key: string }[] }).rows.map((t) => t.key);
    };
    expect(await keys("sort=type&direction=asc")).toEqual(["k1", "k2"]); // extract, load
    expect(await keys("sort=type&direction=desc")).toEqual(["k2", "k1"]);
    expect(await keys("sort=created&direction=asc")).toEqual(["k1", "k2"]);
    expect(await keys("sort=type")).toEqual(["k1", "k2"]); // text starts from A
    expect(await keys("")).toEqual(["k2", "k1"]); // newest first
  });

  it("refuses a sort or direction it does not know with 400, naming the parameter and the choices", async () => {
    const bad = async (query: string) => {
      const r = await app().request(`/api/v1/tasks?${query}`, as("r-token"));
      return [r.status, ((await r.json()) as { error: string }).error];
    };
    expect(await bad("sort=name")).toEqual([
      400,
      'sort: "name" is not one of created, type, job, result, queue, run, id, info, kind',
    ]);
    expect(await bad("sort=created%20DESC%3B%20DROP%20TABLE%20tasks")).toEqual([
      400,
      'sort: "created DESC; DROP TABLE tasks" is not one of created, type, job, result, queue, run, id, info, kind',
    ]);
    expect(await bad("sort=type&direction=up")).toEqual([400, 'direction: "up" is not one of asc, desc']);
    expect((await app().request("/web/tasks?sort=name", cookie)).status).toBe(400);
  });

  it("draws the day's tasks per hour under the counts, with what each segment is on hover", async () => {
    const html = await page("/web/tasks?date=2024-01-15");
    expect(html).toContain('role="img" aria-label="Tasks per hour of 2024-01-15 (UTC): 2 in all');
    expect(html).toContain("<title>03:00 · complete 1</title>");
    expect(html).toContain("<title>04:00 · running 1</title>");
    expect(html.indexOf('class="counts"')).toBeLessThan(html.indexOf("<svg"));
    expect(html).toMatch(/class="swatch complete" aria-hidden="true"><\/span> complete 1/);
    const loads = await page("/web/tasks?date=2024-01-15&type=load");
    expect(loads).toContain("<title>04:00 · running 1</title>");
    expect(loads).not.toContain("03:00 · complete");
    const empty = await page("/web/tasks?date=2024-01-20");
    expect(empty).toContain("no tasks this day");
    expect(empty).not.toContain("<svg");
  });

  it("shows the month with the days that have data marked, and its links keep the filters", async () => {
    const html = await page(
      "/web/tasks?date=2024-01-15&type=load&result=running&id=run-1&sort=type&direction=desc&page=2",
    );
    expect(html).toContain("<b>January 2024</b>");
    const shown = dayLink(html, "2024-01-15, today, has data");
    expect(shown?.[2]).toContain('class="has-data today" title="has data" aria-current="date"');
    const before = dayLink(html, "2024-01-14");
    expect(before?.[2]).toBe("");
    const kept = { type: "load", result: "running", id: "run-1", sort: "type", direction: "desc" };
    const params = (href: string | undefined) => Object.fromEntries(url(href).searchParams);
    expect(url(before?.[1]).pathname).toBe("/web/tasks");
    expect(params(before?.[1])).toEqual({ ...kept, date: "2024-01-14" });
    const previous = /<a href="([^"]*)" rel="prev"/.exec(html)?.[1];
    expect(params(previous)).toEqual({ ...kept, date: "2023-12-15" });
    const next = /<a href="([^"]*)" rel="next"/.exec(html)?.[1];
    expect(params(next)).toEqual({ ...kept, date: "2024-02-15" });
    expect(params(/<a href="([^"]*)">today<\/a>/.exec(html)?.[1])).toEqual({ ...kept, date: "2024-01-15" });
    expect(html).toContain('<input type="date" name="date" value="2024-01-15"/>');
  });

  it("makes the column headers sort links: the active one flips and shows its direction", async () => {
    const html = await page("/web/tasks?date=2024-01-15&type=load&sort=type&direction=desc&page=2");
    const task =
      /<th aria-sort="descending"><a href="([^"]*)">task<span aria-hidden="true"> ▼<\/span><\/a><\/th>/.exec(
        html,
      );
    expect(Object.fromEntries(url(task?.[1]).searchParams)).toEqual({
      type: "load",
      sort: "type",
      direction: "asc",
      date: "2024-01-15",
    });
    const queued = /<th><a href="([^"]*)">queued<\/a><\/th>/.exec(html);
    expect(Object.fromEntries(url(queued?.[1]).searchParams)).toEqual({
      type: "load",
      sort: "queue",
      direction: "desc",
      date: "2024-01-15",
    });
    expect(html).toMatch(/<th><a href="[^"]*sort=info&amp;direction=asc[^"]*">info<\/a><\/th>/);
    expect(html).toContain("<th>msg</th>");
    expect(html).toContain('<input type="hidden" name="sort" value="type"/>');
    const ascending = await page("/web/tasks?date=2024-01-15&sort=created&direction=asc");
    expect(ascending).toMatch(
      /<th aria-sort="ascending"><a [^>]*>created \(UTC\)<span aria-hidden="true"> ▲/,
    );
    // The rows follow: k1 (03:04) before k2 (04:00).
    expect(ascending.indexOf("03:04:05")).toBeLessThan(ascending.indexOf("04:00:00"));
  });

  it("gives the files and alerts pages the calendar without filters, and a date input", async () => {
    for (const path of ["/web/files", "/web/alerts"]) {
      const html = await page(`${path}?date=2024-01-15`);
      expect(dayLink(html, "2024-01-14")?.[1], path).toBe(`${path}?date=2024-01-14`);
      expect(dayLink(html, "2024-01-15, today, has data")?.[2], path).toContain('title="has data"');
      expect(html, path).toContain('<input type="date" name="date" value="2024-01-15"/>');
    }
  });
});
