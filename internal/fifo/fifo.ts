/**
 * A first-in first-out queue in a ring of slots. A slot is emptied when its item leaves, and a ring that is replaced
 * (grown or shrunk) is emptied too. V8 does not reclaim an old-generation array until a full GC, and young-generation
 * GCs treat what it points at as alive: an array that still pointed at items that left would keep each of them, and
 * all they hold (for the engine, a message and its buffers), alive until then.
 */
const smallest = 64;

export class Fifo<T> {
  #slots: (T | undefined)[] = new Array(smallest).fill(undefined);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#slots.length) this.#resize(this.#slots.length * 2);
    this.#slots[(this.#head + this.#size) % this.#slots.length] = item;
    this.#size++;
  }

  /** The oldest item, taken out; undefined when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#slots.length;
    this.#size--;
    // After a burst the ring gives its room back.
    if (this.#slots.length > smallest && this.#size * 4 < this.#slots.length)
      this.#resize(this.#slots.length / 2);
    return item;
  }

  #resize(length: number): void {
    const old = this.#slots;
    const slots: (T | undefined)[] = new Array(length).fill(undefined);
    for (let i = 0; i < this.#size; i++) slots[i] = old[(this.#head + i) % old.length];
    old.fill(undefined);
    this.#slots = slots;
    this.#head = 0;
  }
}
