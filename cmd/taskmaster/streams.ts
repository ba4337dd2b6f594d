/**
 * taskmaster's streams and durable consumers: what it needs (created or updated at start and on each workflow
 * reload) and what NATS reports about them (the about page, metrics).
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import {
  ensureConsumer,
  ensureStream,
  reloadSubject,
  type StreamLimits,
  type StreamState,
} from "../../internal/bus/index.ts";
import type { Config } from "../../internal/config/index.ts";
import { auditStream, auditSubject } from "../../internal/engine/index.ts";
import { journalStream, journalSubjectPrefix } from "../../internal/journal/index.ts";
import type { OwnSubjects, Snapshot } from "../../internal/workflow/index.ts";
import { localFilesSubject } from "./localfiles.ts";

/** Where waiting retries live; internal to taskmaster. */
export const retryStream = "TASKMASTER_RETRY";
export const retrySubject = "taskmaster.retry";

export const doneDurable = "taskmaster-done";
export const filesDurable = "taskmaster-files";
export const retryDurable = "taskmaster-retry";

/** taskmaster's own subjects, which no task subject may be (`subjectClash`). */
export function ownSubjects(config: Config): OwnSubjects {
  const subjects = new Map([
    [config.doneTopic, "done_topic"],
    [config.fileTopic, "file_topic"],
    [config.failedTopic, "failed_topic"],
    [retrySubject, "taskmaster's retry subject"],
    [localFilesSubject, "taskmaster's local files subject"],
    [auditSubject, "taskmaster's audit subject"],
    [reloadSubject, "taskmaster's reload request subject"],
  ]);
  subjects.delete("");
  return { subjects, prefixes: new Map([[journalSubjectPrefix, "taskmaster's journal subject"]]) };
}

/** The streams taskmaster needs, with the task subjects of `snapshot`. */
export async function ensureStreams(
  jsm: JetStreamManager,
  config: Config,
  snapshot: Snapshot,
): Promise<void> {
  const s = config.streams;
  const limits: StreamLimits = {
    maxAgeMs: s.maxAge,
    maxBytes: s.maxBytes,
    duplicateWindowMs: s.duplicateWindow,
    replicas: s.replicas,
  };
  const specs = [
    {
      name: s.tasks,
      subjects: taskSubjects(snapshot, config.nats.subjectPrefix),
      description: "tasks for workers",
    },
    { name: s.done, subjects: [config.doneTopic], description: "finished tasks from workers" },
    { name: retryStream, subjects: [retrySubject], description: "retries waiting for their time" },
    { name: auditStream, subjects: [auditSubject], description: "people's actions: who, what, when" },
    {
      name: journalStream,
      subjects: [`${journalSubjectPrefix}>`],
      description:
        "what no other stream holds: alerts, files, cron slots, refused messages, workflow reloads",
    },
  ];
  if (config.failedTopic)
    specs.push({ name: s.failed, subjects: [config.failedTopic], description: "exhausted retries" });
  const fileSubjects = [...(config.fileTopic ? [config.fileTopic] : []), localFilesSubject];
  specs.push({ name: s.files, subjects: fileSubjects, description: "file arrivals" });
  for (const spec of specs) if (spec.subjects.length > 0) await ensureStream(jsm, spec, limits);
  // Every subject of the files stream: the files topic and taskmaster's own local arrivals. A file message takes
  // milliseconds; one left unacked by a crash comes back after ack_wait, so that is kept short.
  await ensureConsumer(jsm, {
    stream: s.files,
    durable: filesDurable,
    filterSubject: "",
    ackWaitMs: 10_000,
    maxAckPending: 1024,
  });
  // The engine works on 256 done messages at once (`maxActive`); 256 more wait delivered, so the next is always at
  // hand. No more: messages that wait long outlive two young-generation collections and are moved to the old
  // generation. With a window of 2048, 60 000 done messages take 8 full collections instead of 2, and the median of
  // 8 alternating runs of `make bench`'s throughput step (cache off) is 12 % lower.
  await ensureConsumer(jsm, {
    stream: s.done,
    durable: doneDurable,
    filterSubject: config.doneTopic,
    ackWaitMs: 30_000,
    maxAckPending: 512,
  });
  // Waiting retries are delivered and held (negatively acked with a delay) until due: no limit on how many.
  await ensureConsumer(jsm, {
    stream: retryStream,
    durable: retryDurable,
    filterSubject: retrySubject,
    ackWaitMs: 30_000,
    maxAckPending: -1,
  });
}

/** taskmaster's streams and durable consumers as NATS reports them now; a stream that cannot be read says why. */
export function streamStates(jsm: JetStreamManager, config: Config): Promise<StreamState[]> {
  const s = config.streams;
  const names = [
    s.tasks,
    s.done,
    s.files,
    retryStream,
    auditStream,
    journalStream,
    ...(config.failedTopic ? [s.failed] : []),
  ];
  const durables: Record<string, string> = {
    [s.done]: doneDurable,
    [s.files]: filesDurable,
    [retryStream]: retryDurable,
  };
  return Promise.all(
    names.map(async (name): Promise<StreamState> => {
      try {
        const info = await jsm.streams.info(name);
        const durable = durables[name];
        const consumer = durable ? await jsm.consumers.info(name, durable) : undefined;
        return {
          name,
          subjects: info.config.subjects ?? [],
          messages: info.state.messages,
          bytes: info.state.bytes,
          consumers: consumer
            ? [
                {
                  name: consumer.name,
                  pending: consumer.num_pending,
                  ackPending: consumer.num_ack_pending,
                  redelivered: consumer.num_redelivered,
                },
              ]
            : [],
          problem: "",
        };
      } catch (err) {
        const problem = (err as Error).message;
        return { name, subjects: [], messages: 0, bytes: 0, consumers: [], problem };
      }
    }),
  );
}

/** With a prefix ending in `.` one wildcard takes every task; otherwise each topic is listed. */
export function taskSubjects(snapshot: Snapshot, prefix: string): string[] {
  if (prefix.endsWith(".")) return [`${prefix}>`];
  return [...new Set(snapshot.phases.map((p) => `${prefix}${p.topic}`))].sort();
}
