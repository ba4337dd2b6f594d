import { describe, expect, it } from "vitest";
import { createProbesApp, type ProbeState } from "./probes.ts";

const running: ProbeState = {
  ready: true,
  nats: "connected",
  workflows: 2,
  engine: { stuck: false, oldestMs: 1500 },
};
const readToken = "r".repeat(20);

function app(state: ProbeState = running, tokens = { read: "", admin: "" }) {
  const asked: (string | undefined)[] = [];
  const probes = createProbesApp({
    state: () => state,
    metrics: async (authorization) => {
      asked.push(authorization);
      return "taskmaster_workflows 2\n";
    },
    tokens,
  });
  return { probes, asked };
}

describe("the engine role's probes", () => {
  it("says the process is alive", async () => {
    const res = await app().probes.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("is ready when connected with workflows and not stuck, with the detail", async () => {
    const res = await app().probes.request("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ready: true,
      nats: "connected",
      workflows: 2,
      stuck: false,
      oldestInFlightSeconds: 1,
    });
  });

  it("is not ready while stuck or away from NATS", async () => {
    const stuck = { ...running, ready: false, engine: { stuck: true, oldestMs: 900_000 } };
    const res = await app(stuck).probes.request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ready: false, stuck: true, oldestInFlightSeconds: 900 });
  });

  it("says what it waits for while it starts", async () => {
    const res = await app({ waiting: "waiting for NATS: connection refused (attempt 3)" }).probes.request(
      "/readyz",
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      ready: false,
      nats: "connecting",
      workflows: 0,
      waiting: "waiting for NATS: connection refused (attempt 3)",
    });
  });

  it("serves the metrics as Prometheus text", async () => {
    const res = await app().probes.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0.0.4/);
    expect(await res.text()).toBe("taskmaster_workflows 2\n");
  });

  it("asks for the read token for the metrics when tokens are set, and passes it on", async () => {
    const { probes, asked } = app(running, { read: readToken, admin: "a".repeat(20) });
    expect((await probes.request("/metrics")).status).toBe(401);
    expect((await probes.request("/healthz")).status).toBe(200);
    const res = await probes.request("/metrics", { headers: { Authorization: `Bearer ${readToken}` } });
    expect(res.status).toBe(200);
    expect(asked).toEqual([`Bearer ${readToken}`]);
  });

  it("answers other routes 404, saying the dashboard and API are the history role's", async () => {
    const res = await app().probes.request("/api/v1/tasks");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /GET \/api\/v1\/tasks; this is the engine role .* served by the history role/,
    );
  });
});
