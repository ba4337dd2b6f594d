// A person's retry through the API, on a clock the test moves: the same ask within a minute is sent once, and the
// next minute it is sent again.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type HttpServer, listenHttp, tokensOf } from "../../cmd/taskmaster/http.ts";
import { type Service, startService } from "../../cmd/taskmaster/service.ts";
import { connectNats } from "../../internal/bus/index.ts";
import { manualClock } from "../../internal/clock/index.ts";
import { EngineEvents } from "../../internal/engine/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { EventLog, testConfig, workflowDir } from "./harness.ts";

let server: NatsServer;
let nc: NatsConnection;
let service: Service | undefined;
let http: HttpServer | undefined;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "rerun-test" });
});
afterEach(async () => {
  await http?.close();
  http = undefined;
  await service?.stop();
  service = undefined;
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name);
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const admin = "adm-0123456789abcdef";
const auth = { Authorization: `Bearer ${admin}` };

describe("a retry asked through the API", () => {
  it("is sent once when asked twice within a minute, and again the next minute", async () => {
    const dir = workflowDir({ "w.toml": '[[phase]]\ntask = "root"\nrule = "cron=@yearly"\n' });
    const events = new EngineEvents();
    const log = new EventLog(events);
    const clock = manualClock(Date.UTC(2026, 2, 4, 10, 0, 15));
    const config = testConfig(server.url, dir, ["--http.listen", "127.0.0.1:0", "--http.admin_token", admin]);
    service = await startService(config, dir, events, { clock });
    http = await listenHttp(config, tokensOf(config, dir), "test", dir, () => ({ waiting: "" }));
    http.serve(service);
    const root = service.engine.snapshot()?.phases.find((p) => p.key === "root");
    if (root === undefined) throw new Error("no phase root");
    await service.engine.fireCron(root, new Date("2026-03-04T00:00:00Z"));

    let key = "";
    await waitFor(
      async () => {
        const rows = (await (
          await fetch(`${http?.url}/api/v1/tasks?type=root`, { headers: auth })
        ).json()) as {
          rows: { key: string }[];
        };
        key = rows.rows[0]?.key ?? "";
        return key !== "";
      },
      { message: "the root task in the history" },
    );
    const retry = async () => {
      const answer = await fetch(`${http?.url}/api/v1/tasks/${encodeURIComponent(key)}/retry`, {
        method: "POST",
        headers: auth,
      });
      expect(answer.status).toBe(200);
    };
    const retries = () => log.of("taskPublished").filter((e) => e.emission.kind === "retry");

    await retry();
    await clock.advance(44_000); // 10:00:59, the same minute
    await retry();
    expect(retries().map((e) => e.duplicate)).toEqual([false, true]);
    await clock.advance(1_000); // 10:01:00
    await retry();
    expect(retries().map((e) => e.duplicate)).toEqual([false, true, false]);
  });
});
