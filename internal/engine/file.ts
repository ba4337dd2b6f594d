/**
 * One message from the files stream (a producer's message on the files topic, or taskmaster's own local arrival):
 * read the files it announces, trigger each new one once, publish its tasks, remember it, and only then ack.
 *
 * A message that announces no usable file is terminated and reported, and the next one is processed. A file already
 * remembered by the ledger is reported as a repeat and triggers nothing. If publishing or the ledger fails, the
 * message is left unacked and comes back: the same file gives the same message ids, so nothing is stored twice.
 *
 * What each file did (triggered with its tasks, unmatched and why, a repeat) is recorded in the journal once its
 * tasks are stored and before the ledger remembers it, under an id made from the message's stream sequence and the
 * file's place in it: a redelivery records nothing new, and a crash before the ledger wrote leaves nothing unsaid.
 */
import type { Inbound } from "../bus/index.ts";
import { FileMessageError } from "../errors/index.ts";
import { type FileLedger, type FileNotice, fileKey, parseFileMessage } from "../files/index.ts";
import { type FileEntry, journalMsgId } from "../journal/index.ts";
import { type PlanContext, planFile } from "../plan/index.ts";
import { taskName } from "../task/index.ts";
import { pathTime } from "../tmpl/index.ts";
import type { Snapshot } from "../workflow/index.ts";
import type { EngineEvents, FileStatus, FileTask } from "./events.ts";
import { type Journal, rejectMessage } from "./journal.ts";
import { isRefusedForGood, type Outbox, outgoing, publishAll, type Subjects, subjectOf } from "./outbox.ts";
import type { Slots } from "./slots.ts";

export interface FileDeps {
  readonly outbox: Outbox;
  readonly subjects: Subjects;
  readonly events: EngineEvents;
  readonly journal?: Journal | undefined;
  readonly snapshot: Snapshot;
  readonly ctx: PlanContext;
  /** Remembers triggered files; without one every arrival triggers (tests, `plan`). */
  readonly ledger?: FileLedger | undefined;
  /** Files being triggered right now, by key: a second message for the same file waits for the first. */
  readonly triggering: Map<string, Promise<void>>;
  /** The files worked on at once, across messages (`maxFilesAtOnce`). */
  readonly fileSlots: Slots;
}

/**
 * How many files are worked on at once. A message can announce many (taskmaster's own local files come a hundred to a
 * message in a burst), and with every file of a burst at once each step runs for all of them before the next: the
 * tasks all go out first and the ledger records, acks and logs after, so the last task leaves long before the burst
 * is done, and what arrives next waits behind the rest (measured with `test/bench/files.ts`: after a burst of 2 000,
 * the first files written at 200 a second waited up to 150 ms, and the p99 at 200/s was 8-500 ms against 5-18 ms with
 * 64 or 256 at once). 128 at once keeps a file's round trips (ledger, publish, ledger) overlapping with the others'.
 */
export const maxFilesAtOnce = 128;

export async function handleFile(msg: Inbound, deps: FileDeps): Promise<void> {
  let notices: FileNotice[];
  try {
    notices = parseFileMessage(msg.data);
  } catch (err) {
    if (!(err instanceof FileMessageError)) throw err;
    return rejectMessage(msg, err.message, deps.journal, deps.events);
  }
  // Every file of the message is tried. One that may succeed when tried again brings the message back (the files done
  // by then are repeats); one refused for good, with nothing else to try again, terminates it.
  const outcomes = await Promise.allSettled(
    notices.map((notice, i) => deps.fileSlots.run(() => oneAtATime(notice, journalId(msg, i), deps))),
  );
  const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
  if (failures.length > 0) throw failures.find((err) => !isRefusedForGood(err)) ?? failures[0];
  msg.ack();
}

/** The id of the journal entry of the `index`th file of a files message. */
function journalId(msg: Inbound, index: number): string {
  return journalMsgId("file", msg.seq, index);
}

/** Two messages for one file processed at once would both find the ledger empty: the second waits its turn. */
async function oneAtATime(file: FileNotice, entryId: string, deps: FileDeps): Promise<void> {
  const key = fileKey(file);
  for (let busy = deps.triggering.get(key); busy; busy = deps.triggering.get(key)) await busy.catch(() => {});
  const work = triggerOnce(file, entryId, deps);
  deps.triggering.set(key, work);
  try {
    await work;
  } finally {
    deps.triggering.delete(key);
  }
}

async function triggerOnce(file: FileNotice, entryId: string, deps: FileDeps): Promise<void> {
  const { events } = deps;
  const identity = { path: file.path, size: file.size, modified: file.modified };
  const dataTime = pathTime(file.path);
  const before = await deps.ledger?.seen(identity);
  if (before) {
    const reason = `already triggered at ${before.at}`;
    await deps.journal?.record(fileFact(file, "repeat", dataTime, [], reason), entryId);
    events.emit({ type: "fileArrived", file, status: "repeat", dataTime, tasks: [], reason });
    return;
  }
  const plan = planFile(deps.snapshot, identity, deps.ctx);
  // Every message is made and checked before the first is published (a throw here publishes nothing).
  const messages = plan.emissions.map((e) => outgoing(deps.outbox, e, deps.subjects));
  const tasks: FileTask[] = plan.emissions.map((emission) => ({
    id: emission.task.id ?? "",
    name: taskName(emission.task),
    subject: subjectOf(emission, deps.subjects),
    workflow: emission.phase?.workflow ?? "",
    phase: emission.phase?.phase ?? "",
  }));
  await publishAll(deps.outbox, messages, events);
  const status: FileStatus = tasks.length > 0 ? "triggered" : "unmatched";
  const reason = plan.notes.join("; ");
  await deps.journal?.record(fileFact(file, status, dataTime, tasks, reason), entryId);
  await deps.ledger?.remember(identity, {
    at: deps.ctx.now.toISOString(),
    tasks: tasks.map((t) => `${t.name} ${t.id}`),
  });
  events.emit({ type: "fileArrived", file, status, dataTime, tasks, reason });
}

function fileFact(
  file: FileNotice,
  status: FileStatus,
  dataTime: Date | null,
  tasks: readonly FileTask[],
  reason: string,
): FileEntry {
  const { path, size, modified, checksum, source, format } = file;
  const time = dataTime?.toISOString() ?? "";
  return {
    type: "file",
    path,
    size,
    modified,
    checksum,
    source,
    format,
    status,
    dataTime: time,
    tasks,
    reason,
  };
}
