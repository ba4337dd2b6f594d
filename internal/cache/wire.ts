/**
 * How records travel from the main thread to the cache's writing thread: a batch is one JSON text of a flat array.
 * A task or done record is its tag and its fields in a fixed order (no object per record, no key names); the rare
 * records (files, alerts, rejected messages, actions, phases) are their tag and the record itself.
 *
 * Measured against posting an array of record objects: the main thread builds no object per record, the structured
 * clone copies one string instead of walking a thousand objects, and a batch waiting for the writer is one compact
 * string, not thousands of small objects in the writer's heap.
 */
import type { CacheOp } from "./queue.ts";
import type { DoneRecord, TaskRecord } from "./types.ts";

const taskTag = "t";
const doneTag = "d";
/** Tag and fields of a task record. */
const taskWidth = 14;
/** Tag and fields of a done record. */
const doneWidth = 12;

/** A batch being collected: push records, then `take` the text to post. */
export class WireBatch {
  #parts: unknown[] = [];
  #count = 0;

  get count(): number {
    return this.#count;
  }

  task(r: TaskRecord): void {
    this.#count++;
    // `dataTime` undefined means "work it out" (the writer does): false keeps that apart from null in JSON.
    const dataTime = r.dataTime === undefined ? false : r.dataTime;
    this.#parts.push(
      taskTag,
      r.key,
      r.id,
      r.type,
      r.job,
      r.info,
      r.meta,
      r.kind,
      r.subject,
      r.workflow,
      r.phase,
      r.created,
      r.published,
      dataTime,
    );
  }

  done(r: DoneRecord): void {
    this.#count++;
    this.#parts.push(
      doneTag,
      r.id,
      r.type,
      r.job,
      r.info,
      r.created,
      r.meta,
      r.result,
      r.msg,
      r.started,
      r.ended,
      r.done,
    );
  }

  /** Any other op, as it is. */
  other(op: Exclude<CacheOp, { op: "task" | "done" }>): void {
    this.#count++;
    this.#parts.push(op.op, op);
  }

  /** The batch as text, and a fresh start. */
  take(): string {
    const parts = this.#parts;
    this.#parts = [];
    this.#count = 0;
    return JSON.stringify(parts);
  }
}

type Field = string | null;

/**
 * The ops of a batch's text, in order. `dataTime` is left undefined where the sender left it to the writer. Throws on
 * text that is not a batch (a bug, not data: the sender is this module).
 */
export function readBatch(text: string): CacheOp[] {
  const parts = JSON.parse(text) as unknown[];
  const ops: CacheOp[] = [];
  let i = 0;
  const f = (k: number) => parts[i + k] as Field;
  while (i < parts.length) {
    const tag = parts[i];
    if (tag === taskTag) {
      const dataTime = parts[i + 13] as Field | false;
      const record: TaskRecord = {
        key: f(1) ?? "",
        id: f(2) ?? "",
        type: f(3) ?? "",
        job: f(4) ?? "",
        info: f(5) ?? "",
        meta: f(6) ?? "",
        kind: (f(7) ?? "unknown") as TaskRecord["kind"],
        subject: f(8) ?? "",
        workflow: f(9) ?? "",
        phase: f(10) ?? "",
        created: f(11) ?? "",
        published: f(12),
        ...(dataTime === false ? {} : { dataTime }),
      };
      ops.push({ op: "task", record });
      i += taskWidth;
    } else if (tag === doneTag) {
      const record: DoneRecord = {
        id: f(1) ?? "",
        type: f(2) ?? "",
        job: f(3) ?? "",
        info: f(4) ?? "",
        created: f(5) ?? "",
        meta: f(6) ?? "",
        result: f(7) ?? "",
        msg: f(8) ?? "",
        started: f(9),
        ended: f(10),
        done: f(11),
      };
      ops.push({ op: "done", record });
      i += doneWidth;
    } else if (typeof tag === "string") {
      ops.push(parts[i + 1] as CacheOp);
      i += 2;
    } else {
      throw new Error(`cache batch: no record tag at ${i}`);
    }
  }
  return ops;
}
