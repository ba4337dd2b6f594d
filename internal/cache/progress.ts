/**
 * How far the follower is, against where the streams were: a rebuild's progress (the messages the streams held when
 * the replay began, and how many of them are written), and the callers waiting until every stream is written up to
 * a sequence (`caughtUp`). Pure: the follower hands in its cursors after each commit.
 */
import type { Cursor } from "./batch.ts";

/** Where the cursors stand: each stream's committed position, the messages not written yet, those lost. */
export function standing(cursors: readonly Cursor[], last: ReadonlyMap<string, number>) {
  let behind = 0;
  let lost = 0;
  const positions: Record<string, number> = {};
  for (const c of cursors) {
    positions[c.name] = c.committed.seq;
    behind += Math.max(0, (last.get(c.name) ?? 0) - c.committed.seq);
    lost += c.committed.lost;
  }
  return { positions, behind, lost };
}

export interface Rebuild {
  /** Each cursor's position when the replay began, and the stream's last sequence then. */
  readonly from: readonly number[];
  readonly to: readonly number[];
  readonly total: number;
  readonly began: number;
}

/** The replay from the cursors' committed positions up to each stream's `last` sequence; `total` 0 when none. */
export function rebuildFrom(
  cursors: readonly Cursor[],
  last: ReadonlyMap<string, number>,
  began: number,
): Rebuild {
  const to = cursors.map((c) => last.get(c.name) ?? 0);
  const from = cursors.map((c) => c.committed.seq);
  const total = to.reduce((sum, seq, i) => sum + Math.max(0, seq - (from[i] ?? 0)), 0);
  return { from, to, total, began };
}

/** How many messages of the rebuild are written. */
export function rebuilt(r: Rebuild, cursors: readonly Cursor[]): number {
  return cursors.reduce((sum, c, i) => {
    const from = r.from[i] ?? 0;
    return sum + Math.max(0, Math.min(c.committed.seq, r.to[i] ?? 0) - from);
  }, 0);
}

interface Waiter {
  readonly targets: ReadonlyMap<string, number>;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** Callers waiting until every stream is written up to a sequence of its own. */
export class CaughtUpWaiters {
  #waiters: Waiter[] = [];

  /** Resolves once `settle` finds each stream of `targets` committed up to its sequence. */
  wait(targets: ReadonlyMap<string, number>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiters.push({ targets, resolve, reject });
    });
  }

  /** Resolves the waiters the cursors' committed positions satisfy. */
  settle(cursors: readonly Cursor[]): void {
    if (this.#waiters.length === 0) return;
    const position = new Map(cursors.map((c) => [c.name, c.committed.seq]));
    this.#waiters = this.#waiters.filter((w) => {
      for (const [name, target] of w.targets) if ((position.get(name) ?? 0) < target) return true;
      w.resolve();
      return false;
    });
  }

  rejectAll(err: Error): void {
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }
}
