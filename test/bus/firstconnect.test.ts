// The first connection that keeps trying, against real nats-servers: none answering, one with a password, one
// without TLS for a client that wants it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectAbortedError,
  type ConnectFailure,
  connectPersistently,
  type NatsSettings,
} from "../../internal/bus/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";

const fast = { firstDelayMs: 50, maxDelayMs: 200 };
let guarded: NatsServer;

beforeAll(async () => {
  guarded = await startNats({ auth: { user: "svc", pass: "right" } });
});

afterAll(async () => {
  await guarded?.stop();
});

/** Tries to connect with `settings` until `enough` failures were reported, then stops waiting. */
async function failuresOf(settings: NatsSettings, enough = 2): Promise<ConnectFailure[]> {
  const failures: ConnectFailure[] = [];
  const abort = new AbortController();
  const connecting = connectPersistently(settings, {
    ...fast,
    signal: abort.signal,
    onFailure: (f) => failures.push(f),
  });
  await waitFor(() => failures.length >= enough, { message: `${enough} failed attempts` });
  abort.abort();
  await expect(connecting).rejects.toBeInstanceOf(ConnectAbortedError);
  return failures;
}

describe("connectPersistently", () => {
  it("keeps trying while no server answers, waiting longer each time, and connects once one does", async () => {
    let server = await startNats();
    await server.kill();
    const failures: ConnectFailure[] = [];
    const connecting = connectPersistently(
      { url: server.url, name: "first-connect-test" },
      { ...fast, onFailure: (f) => failures.push(f) },
    );
    await waitFor(() => failures.length >= 3, { message: "3 failed attempts" });
    expect(failures.slice(0, 3).map((f) => [f.attempt, f.problem, f.retryInMs])).toEqual([
      [1, "unreachable", 50],
      [2, "unreachable", 100],
      [3, "unreachable", 200],
    ]);
    expect(failures[0]?.reason).toMatch(/^no server answers: /);
    server = await server.restart();
    const nc = await connecting;
    expect(nc.isClosed()).toBe(false);
    await nc.close();
    await server.stop();
  });

  it("reports a wrong password as an authorization failure, and tries again", async () => {
    const url = guarded.url;
    const failures = await failuresOf({ url, name: "t", user: "svc", pass: "wrong" });
    expect(failures.map((f) => f.problem)).toEqual(["authorization", "authorization"]);
    expect(failures[0]?.reason).toBe("authorization failed: Authorization Violation");
  });

  it("logs in with the user and password written in the URL", async () => {
    const url = guarded.url.replace("nats://", "nats://svc:right@");
    const failures: ConnectFailure[] = [];
    const nc = await connectPersistently({ url, name: "t" }, { onFailure: (f) => failures.push(f) });
    expect(failures).toEqual([]);
    await nc.close();
  });

  it("reports a server without TLS, for a client that wants TLS, as a TLS failure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmaster-tls-"));
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, "not checked: the server refuses TLS before the file is read\n");
    const failures = await failuresOf({ url: guarded.url, name: "t", tlsCa: ca });
    expect(failures[0]?.problem).toBe("tls");
    expect(failures[0]?.reason).toMatch(/^TLS failed: .*tls/i);
  });

  it("names the servers it tries without the credentials in their URLs", async () => {
    const url = guarded.url.replace("nats://", "nats://svc:wrong@");
    const failures = await failuresOf({ url, name: "t" }, 1);
    expect(failures[0]?.servers).toEqual([guarded.url]);
    expect(JSON.stringify(failures)).not.toContain("wrong");
  });
});
