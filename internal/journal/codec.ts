/**
 * Journal entries on the wire: JSON on `taskmaster.events.<type>`, one stream for all of them. Decoding checks every
 * field, so a message someone else put on the stream is refused with a reason, never half read.
 */
import { hash } from "node:crypto";
import type {
  AlertEntry,
  FileEntry,
  FileTaskRef,
  JournalEntry,
  JournalFact,
  JournalType,
  PhaseEntry,
  TaskRef,
} from "./types.ts";
import { journalTypes } from "./types.ts";

export const journalStream = "TASKMASTER_EVENTS";
export const journalSubjectPrefix = "taskmaster.events.";

/** The subject an entry of `type` is published on. */
export function journalSubject(type: JournalType): string {
  return `${journalSubjectPrefix}${type}`;
}

/** The longest text kept of a refused message. */
export const maxRejectedData = 65_536;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEntry(fact: JournalFact, at: Date): Uint8Array {
  const entry = { v: 1, at: at.toISOString(), ...fact };
  if (entry.type === "rejected" && entry.data.length > maxRejectedData)
    return encoder.encode(JSON.stringify({ ...entry, data: entry.data.slice(0, maxRejectedData) }));
  return encoder.encode(JSON.stringify(entry));
}

/**
 * A Nats-Msg-Id for an entry, from what identifies it (the input it came from, the slot ...): the same parts give the
 * same id in every process, so a redelivered input or a second engine records a fact once.
 */
export function journalMsgId(type: JournalType, ...parts: readonly (string | number)[]): string {
  return hash("sha256", [type, ...parts].join("|"), "base64url");
}

export class JournalDecodeError extends Error {
  override readonly name = "JournalDecodeError";
}

type Json = Record<string, unknown>;

/** Reads an entry; throws `JournalDecodeError` naming the field that is wrong. */
export function decodeEntry(data: Uint8Array | string): JournalEntry {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === "string" ? data : decoder.decode(data));
  } catch (err) {
    throw new JournalDecodeError(`not valid JSON: ${(err as Error).message}`);
  }
  const o = object(value, "entry");
  if (o.v !== 1) throw new JournalDecodeError(`v: expected 1, got ${JSON.stringify(o.v)}`);
  const at = text(o, "at");
  const type = text(o, "type") as JournalType;
  if (!journalTypes.includes(type)) throw new JournalDecodeError(`type: unknown type "${type}"`);
  return { v: 1, at, ...fact(type, o) };
}

function fact(type: JournalType, o: Json): JournalFact {
  switch (type) {
    case "alert":
      return alert(o);
    case "file":
      return file(o);
    case "cron":
      return {
        type,
        workflow: text(o, "workflow"),
        phase: text(o, "phase"),
        slot: text(o, "slot"),
        tasks: count(o, "tasks"),
      };
    case "skipped":
      return {
        type,
        workflow: text(o, "workflow"),
        phase: text(o, "phase"),
        skipped: count(o, "skipped"),
        first: text(o, "first"),
        last: text(o, "last"),
      };
    case "rejected":
      return { type, subject: text(o, "subject"), reason: text(o, "reason"), data: text(o, "data") };
    case "reload":
      return {
        type,
        workflows: count(o, "workflows"),
        changed: texts(o, "changed"),
        phases: list(o, "phases").map((p, i) => phase(object(p, `phases[${i}]`))),
      };
    case "reload-rejected":
      return { type, problems: texts(o, "problems") };
  }
}

function alert(o: Json): AlertEntry {
  const t = object(o.task, "task");
  const task: TaskRef = {
    id: text(t, "id"),
    type: text(t, "type"),
    job: text(t, "job"),
    info: text(t, "info"),
    meta: text(t, "meta"),
    dataTime: text(t, "dataTime"),
  };
  return { type: "alert", kind: text(o, "kind"), task, message: text(o, "message") };
}

function file(o: Json): FileEntry {
  const tasks = list(o, "tasks").map((v, i): FileTaskRef => {
    const t = object(v, `tasks[${i}]`);
    return {
      id: text(t, "id"),
      name: text(t, "name"),
      subject: text(t, "subject"),
      workflow: text(t, "workflow"),
      phase: text(t, "phase"),
    };
  });
  return {
    type: "file",
    path: text(o, "path"),
    size: count(o, "size"),
    modified: text(o, "modified"),
    checksum: text(o, "checksum"),
    source: text(o, "source"),
    format: text(o, "format"),
    status: text(o, "status"),
    dataTime: text(o, "dataTime"),
    tasks,
    reason: text(o, "reason"),
  };
}

function phase(o: Json): PhaseEntry {
  return {
    workflow: text(o, "workflow"),
    phase: text(o, "phase"),
    topic: text(o, "topic"),
    job: text(o, "job"),
    dependsOn: text(o, "dependsOn"),
    rule: text(o, "rule"),
    template: text(o, "template"),
    retry: count(o, "retry"),
    status: text(o, "status"),
    problems: texts(o, "problems"),
  };
}

function object(value: unknown, where: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new JournalDecodeError(`${where}: expected an object`);
  return value as Json;
}

function text(o: Json, key: string): string {
  const v = o[key];
  if (typeof v !== "string") throw new JournalDecodeError(`${key}: expected a string`);
  return v;
}

function count(o: Json, key: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
    throw new JournalDecodeError(`${key}: expected a whole number ≥ 0`);
  return v;
}

function list(o: Json, key: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new JournalDecodeError(`${key}: expected a list`);
  return v;
}

function texts(o: Json, key: string): string[] {
  return list(o, key).map((v, i) => {
    if (typeof v !== "string") throw new JournalDecodeError(`${key}[${i}]: expected a string`);
    return v;
  });
}
