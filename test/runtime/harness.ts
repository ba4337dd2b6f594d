/**
 * Helpers for runtime tests: a workflow directory, a config pointing at a test's own nats-server, workers that
 * finish tasks the way a test says, and a record of the engine's events to await.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import type { NatsConnection } from "@nats-io/transport-node";
import { logEvents } from "../../cmd/taskmaster/eventlog.ts";
import { type Config, hasConfigErrors, resolveConfig } from "../../internal/config/index.ts";
import type { EngineEvent, EngineEvents, EventOf } from "../../internal/engine/index.ts";
import { createLogger } from "../../internal/log/index.ts";
import type { Task } from "../../internal/task/index.ts";
import { type Outcome, startWorker, type Worker } from "../../internal/worker/index.ts";
import { waitFor } from "../helpers/wait.ts";

export function workflowDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "taskmaster-wf-"));
  writeWorkflows(dir, files);
  return dir;
}

export function writeWorkflows(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** A config for a test: its own server, its own workflow dir, quiet logs. */
export function testConfig(natsUrl: string, workflow: string, flags: string[] = []): Config {
  const { config, problems } = resolveConfig({
    env: {},
    flags: ["--nats.url", natsUrl, "--workflow", workflow, "--log.level", "silent", ...flags],
  });
  if (hasConfigErrors(problems)) throw new Error(JSON.stringify(problems));
  return config;
}

/** Every event the engine emitted, to await and assert on. */
export class EventLog {
  readonly events: EngineEvent[] = [];
  constructor(source: EngineEvents) {
    source.onAny((e) => this.events.push(e));
  }
  of<T extends EngineEvent["type"]>(type: T): EventOf<T>[] {
    return this.events.filter((e): e is EventOf<T> => e.type === type);
  }
  async until<T extends EngineEvent["type"]>(
    type: T,
    match: (e: EventOf<T>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<EventOf<T>> {
    let found: EventOf<T> | undefined;
    await waitFor(
      () => {
        found = this.of(type).find(match);
        return found !== undefined;
      },
      { timeoutMs, message: `an event ${type}` },
    );
    return found as EventOf<T>;
  }
}

/** The service's log, as `taskmaster run` writes it (JSON lines at info), kept in memory. */
export class LogLines {
  readonly lines: string[] = [];
  readonly stop: () => void;
  constructor(source: EngineEvents) {
    const destination = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.lines.push(String(chunk));
        done();
      },
    });
    this.stop = logEvents(source, createLogger({ level: "info", format: "json", destination }));
  }
  /** The parsed lines whose message is `msg`. */
  withMessage(msg: string): Record<string, unknown>[] {
    return this.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.msg === msg);
  }
}

/** Workers for `topics` that complete every task, or do what `decide` says. */
export function fakeWorkers(
  nc: NatsConnection,
  topics: readonly string[],
  decide: (task: Task) => Outcome = () => ({ result: "complete" }),
): Worker[] {
  return topics.map((topic) =>
    startWorker(nc, { topic, concurrency: 8, handler: async (task) => decide(task), graceMs: 2000 }),
  );
}

export const published = (log: EventLog, type: string) =>
  log.of("taskPublished").filter((e) => e.emission.task.type === type && !e.duplicate);
