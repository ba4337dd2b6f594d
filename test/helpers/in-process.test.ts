// Run by the unit project, whose setup is in-process.ts: what a unit test meets when it starts a process, a thread
// or a server, directly or through the launchers the integration tests use.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { startNats } from "./nats.ts";
import { startFakeS3 } from "./s3.ts";
import { SlackSink } from "./slack.ts";

const dir = mkdtempSync(join(tmpdir(), "taskmaster-in-process-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `start` failed with; should it start something instead, that is stopped and the test fails. */
async function refusal<T>(start: () => T | Promise<T>, stop: (started: T) => unknown): Promise<Error> {
  let started: T;
  try {
    started = await start();
  } catch (err) {
    return err as Error;
  }
  await stop(started);
  throw new Error("it was not refused");
}

describe("a unit test that leaves its thread", () => {
  it("is refused a child process, with the call named and where the test belongs", async () => {
    const refused = await refusal(
      () => spawnSync("true"),
      () => undefined,
    );
    // By name: the unit project shares modules across files, so the class that threw may be another file's copy.
    expect(refused.name).toBe("NotInProcessError");
    expect(refused.message).toBe(
      "child_process.spawnSync in a unit test: tests beside the code run in-process (no child processes, " +
        "worker threads, servers or connections); move this test under test/<module>/, where the integration " +
        "project runs it",
    );
    const child = await refusal(
      () => spawn("true"),
      (c) => c.kill(),
    );
    expect(child.message).toMatch(/^child_process\.spawn in a unit test/);
  });

  it("is refused a worker thread, a listening server and a connection", async () => {
    const worker = await refusal(
      () => new Worker("0", { eval: true }),
      (w) => w.terminate(),
    );
    expect(worker.message).toMatch(/^new Worker\(\) in a unit test/);
    const server = await refusal(
      () => createServer().listen(0, "127.0.0.1"),
      (s) => s.close(),
    );
    expect(server.message).toMatch(/^server\.listen\(\) in a unit test/);
    const socket = await refusal(
      () => connect(1, "127.0.0.1"),
      (s) => s.destroy(),
    );
    expect(socket.message).toMatch(/^socket\.connect\(\) in a unit test/);
  });

  it("is refused nats-server, s3rver and the Slack sink", async () => {
    const nats = await refusal(startNats, (s) => s.stop());
    expect(nats.message).toMatch(/^child_process\.spawn in a unit test/);
    const s3 = await refusal(
      () => startFakeS3(join(dir, "s3"), "bucket"),
      (s) => s.stop(),
    );
    expect(s3.message).toMatch(/^server\.listen\(\) in a unit test/);
    const sink = new SlackSink();
    const slack = await refusal(
      () => sink.start(),
      () => sink.stop(),
    );
    expect(slack.message).toMatch(/^server\.listen\(\) in a unit test/);
  });
});
