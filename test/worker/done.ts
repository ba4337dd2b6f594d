/**
 * What the worker tests share: unique subjects per test, a done stream made by the test (so nothing else on the
 * server stores our messages), the tasks that stream holds, and a recorder of worker events to wait on.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { parseTask, type Task, taskJson } from "../../internal/task/index.ts";
import type { WorkerEvent } from "../../internal/worker/index.ts";

let counter = 0;

/** A topic and done subject no other test uses. */
export function uniqueSubjects(label: string): { topic: string; done: string; stream: string } {
  counter++;
  const tag = `${label}-${process.pid}-${counter}`;
  return { topic: `task.${tag}`, done: `done.${tag}`, stream: `DONE_${tag.replaceAll("-", "_")}` };
}

export interface DoneStream {
  readonly name: string;
  /** Every task stored, in order. */
  tasks(): Promise<Task[]>;
}

export async function createDoneStream(
  nc: NatsConnection,
  name: string,
  subject: string,
): Promise<DoneStream> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [subject] });
  return doneStream(nc, name);
}

/** Reads a stream that exists or will exist. */
export function doneStream(nc: NatsConnection, name: string): DoneStream {
  return {
    name,
    async tasks() {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info(name);
      const out: Task[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const m = await jsm.streams.getMessage(name, { seq });
        if (m) out.push(parseTask(m.data));
      }
      return out;
    },
  };
}

/** A task as the taskmaster would send it. */
export function newTask(type: string, fields: Partial<Task> = {}): Task {
  counter++;
  return {
    type,
    info: `?n=${counter}`,
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    created: "2026-01-02T03:04:05Z",
    ...fields,
  };
}

export function publishTask(nc: NatsConnection, topic: string, task: Task): void {
  nc.publish(topic, taskJson(task));
}

/** Collects worker events; pass `record` as `onEvent`. */
export function eventRecorder(): {
  readonly events: WorkerEvent[];
  record(e: WorkerEvent): void;
  count(type: WorkerEvent["type"]): number;
} {
  const events: WorkerEvent[] = [];
  return {
    events,
    record: (e) => events.push(e),
    count: (type) => events.filter((e) => e.type === type).length,
  };
}
