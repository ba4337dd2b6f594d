// A running taskmaster whose engine holds a message past engine.stuck_after: it says so in its log, /readyz and
// /metrics, and is ready again once the message is done.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { workflowDir } from "./harness.ts";
import { startTaskmaster } from "./process.ts";

let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "stuck-test" });
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const workflow =
  '[[phase]]\ntask = "root"\nrule = "cron=@yearly"\n\n[[phase]]\ntask = "load"\ndependsOn = "root"\n';

describe("a stuck engine", () => {
  it("is reported, makes /readyz 503 and shows in /metrics, and recovers once the message is done", async () => {
    const dir = workflowDir({ "w.toml": workflow });
    const p = await startTaskmaster(server.url, dir, ["--engine.stuck_after", "1s"]);
    try {
      const url = String(p.lines.find((l) => l.msg === "taskmaster running")?.http);
      const readyz = async () => {
        const r = await fetch(`${url}/readyz`);
        return {
          status: r.status,
          body: (await r.json()) as { stuck: boolean; oldestInFlightSeconds: number },
        };
      };
      const metric = async (name: string) => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
      };
      expect((await readyz()).status).toBe(200);
      // No stream takes the child's subject for now: its publish is retried, and the done message is held.
      const jsm = await jetstreamManager(nc);
      const tasks = await jsm.streams.info("TASKMASTER_TASKS");
      await jsm.streams.delete("TASKMASTER_TASKS");
      await jetstream(nc).publish(
        "done",
        JSON.stringify({ type: "root", info: "", id: "s1", result: "complete", meta: "workflow=w.toml" }),
      );
      const line = await p.waitForLine((l) => l.msg.includes("past engine.stuck_after"), 10_000);
      expect(line).toMatchObject({ kind: "done", subject: "done", stuck_after_ms: 1000 });
      const stuck = await readyz();
      expect(stuck.status).toBe(503);
      expect(stuck.body).toMatchObject({ ready: false, nats: "connected", stuck: true });
      expect(stuck.body.oldestInFlightSeconds).toBeGreaterThanOrEqual(1);
      expect(await metric("taskmaster_engine_stuck")).toBe(1);
      expect(await metric("taskmaster_engine_oldest_in_flight_seconds")).toBeGreaterThanOrEqual(1);
      expect(await metric("taskmaster_engine_in_flight_messages")).toBe(1);
      expect(await metric("taskmaster_engine_publishes_in_flight")).toBe(1);

      await jsm.streams.add({ ...tasks.config });
      await waitFor(async () => (await readyz()).status === 200, {
        timeoutMs: 20_000,
        message: "ready again once the child is stored",
      });
      expect((await readyz()).body).toMatchObject({ stuck: false, oldestInFlightSeconds: 0 });
      expect(await metric("taskmaster_engine_in_flight_messages")).toBe(0);
      expect(await metric("taskmaster_engine_publishes_in_flight")).toBe(0);
      expect((await jsm.streams.info("TASKMASTER_TASKS")).state.messages).toBe(1);
    } finally {
      await p.kill("SIGTERM");
    }
  }, 60_000);
});
