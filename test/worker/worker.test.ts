/**
 * The worker against a real nats-server: tasks in on a queue subscription, done messages out to a JetStream stream.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Task } from "../../internal/task/index.ts";
import { execHandler, type Handler, startWorker, type Worker } from "../../internal/worker/index.ts";
import { type NatsServer, startNats } from "../helpers/nats.ts";
import { waitFor } from "../helpers/wait.ts";
import { createDoneStream, doneStream, eventRecorder, newTask, publishTask, uniqueSubjects } from "./done.ts";

let server: NatsServer;
let nc: NatsConnection;
const workers: Worker[] = [];

beforeAll(async () => {
  server = await startNats();
  nc = await connect({ servers: server.url });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

function start(options: Parameters<typeof startWorker>[1], conn: NatsConnection = nc): Worker {
  const worker = startWorker(conn, options);
  workers.push(worker);
  return worker;
}

/** A promise the test resolves by hand, to hold a handler at a point. */
function gate(): { promise: Promise<void>; open(): void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const rfc3339Millis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("worker", () => {
  it("runs a task from its topic and publishes the finished task to the done stream", async () => {
    const s = uniqueSubjects("run");
    const done = await createDoneStream(nc, s.stream, s.done);
    const events = eventRecorder();
    const seen: Task[] = [];
    start({
      topic: s.topic,
      doneSubject: s.done,
      onEvent: events.record,
      handler: async (task) => {
        seen.push(task);
        return { result: "complete", msg: "sorted 3 files", meta: { file: "gs://b/out.json", rows: "3" } };
      },
    });
    const task = newTask(s.topic, {
      info: "gs://b/in.json?x=1",
      meta: "file=gs://b/in.json&workflow=f.toml",
    });
    publishTask(nc, s.topic, task);

    await waitFor(async () => (await done.tasks()).length === 1, { message: "done message stored" });
    const [finished] = await done.tasks();
    expect(finished).toMatchObject({
      type: task.type,
      id: task.id,
      info: task.info,
      created: task.created,
      result: "complete",
      msg: "sorted 3 files",
      meta: "file=gs://b/out.json&rows=3&workflow=f.toml",
    });
    expect(finished?.started).toMatch(rfc3339Millis);
    expect(finished?.ended).toMatch(rfc3339Millis);
    expect(Date.parse(finished?.ended ?? "")).toBeGreaterThanOrEqual(Date.parse(finished?.started ?? ""));
    expect(seen[0]?.started).toBe(finished?.started);
    expect(events.events.map((e) => e.type)).toEqual(["started", "finished", "published"]);
  });

  it("runs at most `concurrency` handlers at once and starts waiting tasks in arrival order", async () => {
    const s = uniqueSubjects("limit");
    const done = await createDoneStream(nc, s.stream, s.done);
    const hold = gate();
    const order: string[] = [];
    let now = 0;
    let most = 0;
    const worker = start({
      topic: s.topic,
      doneSubject: s.done,
      concurrency: 2,
      handler: async (task) => {
        order.push(task.info);
        most = Math.max(most, ++now);
        await hold.promise;
        now--;
        return { result: "complete" };
      },
    });
    const tasks = [1, 2, 3, 4, 5].map((n) => newTask(s.topic, { info: `n=${n}` }));
    for (const t of tasks) publishTask(nc, s.topic, t);
    // The server answers the flush after delivering the five tasks to this connection's subscriptions, the
    // worker's among them: by then the worker has all five, and a third handler would have started with them.
    await nc.flush();
    await waitFor(() => order.length === 2, { message: "two handlers started" });
    expect(order).toHaveLength(2);
    expect(worker.running).toBe(2);

    hold.open();
    await waitFor(async () => (await done.tasks()).length === 5, { message: "five done messages" });
    expect(most).toBe(2);
    expect(order).toEqual(tasks.map((t) => t.info));
  });

  it("splits tasks between two workers of one queue group, each task done once", async () => {
    const s = uniqueSubjects("group");
    const done = await createDoneStream(nc, s.stream, s.done);
    const nc2 = await connect({ servers: server.url });
    try {
      const ran = [0, 0];
      const handler =
        (i: 0 | 1): Handler =>
        async () => {
          ran[i] = (ran[i] ?? 0) + 1;
          return { result: "complete" };
        };
      start({ topic: s.topic, doneSubject: s.done, concurrency: 4, handler: handler(0) });
      start({ topic: s.topic, doneSubject: s.done, concurrency: 4, handler: handler(1) }, nc2);
      await nc2.flush();
      const tasks = Array.from({ length: 40 }, () => newTask(s.topic));
      for (const t of tasks) publishTask(nc, s.topic, t);

      await waitFor(async () => (await done.tasks()).length >= 40, { message: "40 done messages" });
      const ids = (await done.tasks()).map((t) => t.id);
      expect(ids).toHaveLength(40);
      expect(new Set(ids)).toEqual(new Set(tasks.map((t) => t.id)));
      expect(ran[0]).toBeGreaterThan(0);
      expect(ran[1]).toBeGreaterThan(0);
    } finally {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await nc2.close();
    }
  });

  it("rejects a malformed message, publishes nothing for it, and runs the next task", async () => {
    const s = uniqueSubjects("malformed");
    const done = await createDoneStream(nc, s.stream, s.done);
    const events = eventRecorder();
    start({
      topic: s.topic,
      doneSubject: s.done,
      onEvent: events.record,
      handler: async () => ({ result: "complete" }),
    });
    nc.publish(s.topic, "not json");
    nc.publish(s.topic, JSON.stringify({ info: "no type" }));
    const good = newTask(s.topic);
    publishTask(nc, s.topic, good);

    await waitFor(async () => (await done.tasks()).length === 1, { message: "the good task done" });
    expect((await done.tasks())[0]?.id).toBe(good.id);
    const rejected = events.events.filter((e) => e.type === "rejected");
    expect(rejected).toHaveLength(2);
    expect(rejected[1]).toEqual({ type: "rejected", reason: "type: is required" });
  });

  it("reports a handler that throws as result error with the error's message", async () => {
    const s = uniqueSubjects("throws");
    const done = await createDoneStream(nc, s.stream, s.done);
    start({
      topic: s.topic,
      doneSubject: s.done,
      handler: async () => {
        throw new Error("bucket gs://b not found");
      },
    });
    publishTask(nc, s.topic, newTask(s.topic));
    await waitFor(async () => (await done.tasks()).length === 1, { message: "done message stored" });
    expect((await done.tasks())[0]).toMatchObject({ result: "error", msg: "bucket gs://b not found" });
  });

  it("retries the done publish while no stream takes the subject, and stores it once when one does", async () => {
    const s = uniqueSubjects("nostream");
    const events = eventRecorder();
    start({
      topic: s.topic,
      doneSubject: s.done,
      onEvent: events.record,
      handler: async () => ({ result: "complete" }),
    });
    publishTask(nc, s.topic, newTask(s.topic));
    await waitFor(() => events.count("publishFailed") >= 2, { message: "two failed publish attempts" });

    await createDoneStream(nc, s.stream, s.done);
    await waitFor(() => events.count("published") === 1, { timeoutMs: 10_000, message: "published" });
    expect(await doneStream(nc, s.stream).tasks()).toHaveLength(1);
    const published = events.events.find((e) => e.type === "published");
    expect(published?.type === "published" && published.attempts).toBeGreaterThan(2);
  });

  it("stop() waits for a running task and publishes its done message", async () => {
    const s = uniqueSubjects("stop");
    const done = await createDoneStream(nc, s.stream, s.done);
    const hold = gate();
    let started = false;
    const worker = start({
      topic: s.topic,
      doneSubject: s.done,
      handler: async () => {
        started = true;
        await hold.promise;
        return { result: "complete", msg: "finished after stop" };
      },
    });
    publishTask(nc, s.topic, newTask(s.topic));
    await waitFor(() => started, { message: "handler started" });

    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    expect(worker.stop()).toBe(worker.stop());
    // A turn of the event loop: a stop that did not wait for the running task would have resolved by then.
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    expect(worker.running).toBe(1);

    hold.open();
    await stopping;
    expect(worker.running).toBe(0);
    expect(await done.tasks()).toMatchObject([{ result: "complete", msg: "finished after stop" }]);
  });

  it("aborts handlers after the grace period, gives up one that ignores it, and publishes both", async () => {
    const s = uniqueSubjects("grace");
    const done = await createDoneStream(nc, s.stream, s.done);
    const worker = start({
      topic: s.topic,
      doneSubject: s.done,
      concurrency: 2,
      graceMs: 150,
      handler: (task, signal) =>
        task.info === "polite"
          ? new Promise((resolve) =>
              signal.addEventListener("abort", () => resolve({ result: "error", msg: "aborted" })),
            )
          : new Promise(() => {}),
    });
    publishTask(nc, s.topic, newTask(s.topic, { info: "polite" }));
    publishTask(nc, s.topic, newTask(s.topic, { info: "stubborn" }));
    await waitFor(() => worker.running === 2, { message: "both handlers running" });

    await worker.stop();
    const byInfo = new Map((await done.tasks()).map((t) => [t.info, t]));
    expect(byInfo.get("polite")).toMatchObject({ result: "error", msg: "aborted" });
    expect(byInfo.get("stubborn")?.msg).toMatch(/^worker forced to close; waited '\d+ms'$/);
  });

  it("on stop, hands tasks still waiting for a slot back to the topic", async () => {
    const s = uniqueSubjects("requeue");
    await createDoneStream(nc, s.stream, s.done);
    const events = eventRecorder();
    const hold = gate();
    const worker = start({
      topic: s.topic,
      doneSubject: s.done,
      onEvent: events.record,
      handler: async () => {
        await hold.promise;
        return { result: "complete" };
      },
    });
    const copies: string[] = [];
    const watcher = nc.subscribe(s.topic, {
      callback: (_, m) => {
        copies.push(m.string());
      },
    });
    const first = newTask(s.topic);
    const second = newTask(s.topic);
    publishTask(nc, s.topic, first);
    publishTask(nc, s.topic, second);
    // Same connection: once the flush returns, both messages have reached the worker's callback.
    await nc.flush();
    await waitFor(() => events.count("started") === 1, { message: "first task started" });

    const stopping = worker.stop();
    hold.open();
    await stopping;
    await nc.flush();
    watcher.unsubscribe();
    expect(events.events.filter((e) => e.type === "requeued")).toEqual([{ type: "requeued", task: second }]);
    expect(copies.filter((c) => c.includes(second.id ?? "?"))).toHaveLength(2);
  });

  it("runs a command per task with execHandler and publishes its ::meta", async () => {
    const s = uniqueSubjects("exec");
    const done = await createDoneStream(nc, s.stream, s.done);
    start({
      topic: s.topic,
      doneSubject: s.done,
      handler: execHandler({ command: "sh", args: ["-c", 'echo "::meta out=$1.gz"', "sh", "{info}"] }),
    });
    publishTask(nc, s.topic, newTask(s.topic, { info: "gs://b/x.json" }));
    await waitFor(async () => (await done.tasks()).length === 1, { message: "done message stored" });
    expect((await done.tasks())[0]).toMatchObject({ result: "complete", meta: "out=gs://b/x.json.gz" });
  });
});
