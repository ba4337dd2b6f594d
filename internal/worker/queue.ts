/**
 * The tasks waiting for a free slot, first in first out. A plain array's `shift` copies the whole array on every
 * call; a burst of thousands of tasks would make that quadratic, so the head moves and the array is compacted now
 * and then.
 */
import type { Task } from "../task/index.ts";

export interface Waiting {
  readonly task: Task;
  /** The message as received, so a requeue sends back exactly what came in. */
  readonly data: Uint8Array;
}

export class TaskQueue {
  #items: (Waiting | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: Waiting): void {
    this.#items.push(item);
  }

  shift(): Waiting | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}
