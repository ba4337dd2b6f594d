/**
 * Where the history is in each stream it follows: the last sequence written and the messages the stream dropped
 * before they were read. A batch's rows and the positions it reaches are written in one transaction, so the file
 * never holds a row whose position was not stored, nor a position whose rows were not: after a crash the follower
 * resumes from the stored positions and every row is written exactly once (files, alerts and actions have no natural
 * key that would make a second write a no-op).
 */
import type { Database } from "better-sqlite3";
import { classify, FailureKind } from "./failure.ts";
import type { CacheOp } from "./types.ts";
import { prepareWriter } from "./writes.ts";

export interface StreamPosition {
  /** The last sequence written (0: none). */
  readonly seq: number;
  /** Messages the stream dropped (its max age or size) before the history read them. */
  readonly lost: number;
}

/** The positions stored in the file, by stream name. */
export function readPositions(db: Database): Map<string, StreamPosition> {
  const rows = db.prepare("SELECT stream, seq, lost FROM positions").all() as {
    stream: string;
    seq: number;
    lost: number;
  }[];
  return new Map(rows.map((r) => [r.stream, { seq: r.seq, lost: r.lost }]));
}

export interface BatchWriter {
  /**
   * Writes `ops` and the positions they reach in one transaction, or nothing: whatever SQLite throws is thrown after
   * the rollback. With `each`, every op is written on its own (a savepoint each) and one SQLite refuses as a bad
   * record is left out, counted in the result; a failure of the file still rolls everything back.
   */
  write(ops: readonly CacheOp[], positions: ReadonlyMap<string, StreamPosition>, each?: boolean): number;
}

export function prepareBatchWriter(db: Database): BatchWriter {
  const rows = prepareWriter(db);
  const save = db.prepare(
    `INSERT INTO positions (stream, seq, lost) VALUES (?, ?, ?)
       ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq, lost = excluded.lost`,
  );
  // The writer's own transaction becomes a savepoint inside this one.
  const write = db.transaction(
    (ops: readonly CacheOp[], positions: ReadonlyMap<string, StreamPosition>, each: boolean) => {
      let refused = 0;
      if (!each) rows.write(ops);
      else
        for (const op of ops) {
          try {
            rows.write([op]);
          } catch (err) {
            if (classify(err).kind !== FailureKind.other) throw err;
            refused++;
          }
        }
      for (const [stream, p] of positions) save.run(stream, p.seq, p.lost);
      return refused;
    },
  );
  return { write: (ops, positions, each = false) => write(ops, positions, each) };
}
