/**
 * Done messages held back until their tasks are read. The tasks and done streams are read side by side, and when
 * the history catches up the done reader can run ahead: a done written before its task becomes an orphan row, which
 * the task adopts later, three writes instead of one. A done is stored after its task, so once the tasks read so
 * far were stored at or after a done (or the tasks stream is read to its end), that done's task has been read. Held
 * dones have not moved the done stream's position, so dropping them (a failed write, a stop) loses nothing: they
 * are read again. A bound keeps memory flat when the tasks stream is far behind: past it, the oldest go on as
 * orphans would.
 */

/** What the pairing needs of a message: when it was stored, and how many of its stream follow it. */
export interface PairedMessage {
  readonly info: { readonly timestampNanos: number; readonly pending: number };
}

export class DoneHold<M extends PairedMessage> {
  readonly #max: number;
  #held: M[] = [];
  #head = 0;
  /** When the newest task read was stored. */
  #tasksNanos = 0;
  /** The tasks stream is read to its end: every done's task is read. */
  #tasksAtEnd = false;

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#held.length - this.#head;
  }

  /** A task was read; returns the dones that may now be written, in order. */
  task(m: M): M[] {
    this.#tasksNanos = Math.max(this.#tasksNanos, m.info.timestampNanos);
    this.#tasksAtEnd = m.info.pending === 0;
    return this.#release();
  }

  /** The tasks stream is read to its end (or not): what the history's look at the streams says. */
  tasksAtEnd(atEnd: boolean): M[] {
    this.#tasksAtEnd = atEnd;
    return this.#release();
  }

  /** A done was read; returns the dones that may be written now (it among them, or held). */
  done(m: M): M[] {
    if (this.size === 0 && this.#ready(m)) return [m];
    this.#held.push(m);
    return this.#release();
  }

  /** Forgets what is held (the readers start again from the stored positions). */
  clear(): void {
    this.#held = [];
    this.#head = 0;
    this.#tasksAtEnd = false;
  }

  #ready(m: M): boolean {
    return this.#tasksAtEnd || m.info.timestampNanos <= this.#tasksNanos;
  }

  #release(): M[] {
    const out: M[] = [];
    while (this.#head < this.#held.length) {
      const m = this.#held[this.#head] as M;
      if (!this.#ready(m) && this.size <= this.#max) break;
      out.push(m);
      this.#head++;
    }
    if (this.#head === this.#held.length) {
      this.#held = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#held.length) {
      this.#held = this.#held.slice(this.#head);
      this.#head = 0;
    }
    return out;
  }
}
