// A person's retry through the history's API, on a clock the test moves (both roles share it): the same ask within
// a minute is stored once, and the next minute it is stored again.
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../internal/bus/index.ts";
import { manualClock } from "../../internal/clock/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { type BothRoles, startBoth } from "./both.ts";
import { testConfig, workflowDir } from "./harness.ts";

let server: NatsServer;
let nc: NatsConnection;
let roles: BothRoles | undefined;

beforeAll(async () => {
  server = await startNats();
  nc = await connectNats({ url: server.url, name: "rerun-test" });
});
afterEach(async () => {
  await roles?.stop();
  roles = undefined;
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
    const clock = manualClock(Date.UTC(2026, 2, 4, 10, 0, 5));
    const config = testConfig(server.url, dir, ["--http.admin_token", admin]);
    roles = await startBoth(config, dir, { clock });
    const { engine, history } = roles;
    const root = engine.engine.snapshot()?.phases.find((p) => p.key === "root");
    if (root === undefined) throw new Error("no phase root");
    await engine.engine.fireCron(root, new Date("2026-03-04T00:00:00Z"));

    let key = "";
    await waitFor(
      async () => {
        await clock.advance(100); // the follower's own timers run on this clock too
        const rows = (await (
          await fetch(`${history.url}/api/v1/tasks?type=root`, { headers: auth })
        ).json()) as {
          rows: { key: string }[];
        };
        key = rows.rows[0]?.key ?? "";
        return key !== "";
      },
      { message: "the root task in the history" },
    );
    const retry = async () => {
      const answer = await fetch(`${history.url}/api/v1/tasks/${encodeURIComponent(key)}/retry`, {
        method: "POST",
        headers: auth,
      });
      expect(answer.status).toBe(200);
    };
    const jsm = await jetstreamManager(nc);
    const stored = async () => (await jsm.streams.info("TASKMASTER_TASKS")).state.messages;
    expect(await stored()).toBe(1);

    await retry();
    expect(await stored()).toBe(2);
    await clock.advance(Date.UTC(2026, 2, 4, 10, 0, 59) - clock.now().getTime()); // the same minute
    await retry();
    expect(await stored()).toBe(2);
    await clock.advance(1_000); // 10:01:00, the next
    await retry();
    expect(await stored()).toBe(3);
  });
});
