// The API while the service waits for NATS, through `app.request()`.
import { describe, expect, it } from "vitest";
import { createStartingApp } from "./starting.ts";

const app = createStartingApp(() => ({ waiting: "waiting for NATS: no server answers: connection refused" }));

describe("the API while waiting for NATS", () => {
  it("is alive but not ready, and says what it waits for", async () => {
    expect((await app.request("/healthz")).status).toBe(200);
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      ready: false,
      nats: "connecting",
      workflows: 0,
      waiting: "waiting for NATS: no server answers: connection refused",
    });
  });

  it("answers every other route 503 with the reason and when to try again, serving nothing else", async () => {
    const api = await app.request("/api/v1/tasks?date=2024-01-15");
    expect(api.status).toBe(503);
    expect(api.headers.get("retry-after")).toBe("5");
    expect(await api.json()).toEqual({
      error: "taskmaster is starting: waiting for NATS: no server answers: connection refused",
    });
    const post = await app.request("/api/v1/reload", { method: "POST" });
    expect(post.status).toBe(503);
  });

  it("shows pages as a page that refreshes itself, with the reason escaped", async () => {
    const escaped = createStartingApp(() => ({ waiting: "<b>NATS</b>" }));
    const page = await escaped.request("/web/tasks");
    expect(page.status).toBe(503);
    const text = await page.text();
    expect(text).toContain('http-equiv="refresh"');
    expect(text).toContain("taskmaster is starting: &lt;b&gt;NATS&lt;/b&gt;");
  });
});
