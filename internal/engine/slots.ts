/**
 * At most `size` pieces of work at once; the rest wait their turn, first come, first served. The engine bounds the
 * files it works on with it (`file.ts`): a message can announce many files.
 */
import { Fifo } from "../fifo/index.ts";

export class Slots {
  #free: number;
  readonly #waiting = new Fifo<() => void>();

  constructor(size: number) {
    this.#free = size;
  }

  /** Runs `work` once a slot is free, and frees it when `work` settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
