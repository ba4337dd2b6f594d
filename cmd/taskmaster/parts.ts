/**
 * The parts a composition root has started, each with what stops it. Parts are stopped in the reverse of the order
 * they were started in, so nothing is stopped while a later part still uses it; `compose` stops the parts already
 * started when building the rest throws, so a failed start leaves no connection, timer or thread behind.
 */

export type Stop = () => Promise<void> | void;

/** Stopping some parts failed; the others were still stopped. `errors` holds each failure, named by its part. */
export class StopError extends Error {
  override readonly name = "StopError";
  readonly errors: readonly Error[];
  constructor(errors: readonly Error[]) {
    super(errors.map((e) => e.message).join("; "), { cause: errors[0] });
    this.errors = errors;
  }
}

export class Parts {
  readonly #started: { readonly name: string; readonly stop: Stop }[] = [];
  #stopping: Promise<void> | undefined;

  /** Names the parts started so far, in start order (for logs and tests). */
  get names(): readonly string[] {
    return this.#started.map((p) => p.name);
  }

  /** Records a part that is running now; `stop` ends it. Returns `part`, so building and recording is one line. */
  add<T>(name: string, part: T, stop: (part: T) => Promise<void> | void): T {
    if (this.#stopping !== undefined) throw new Error(`${name}: started after the parts were stopped`);
    this.#started.push({ name, stop: () => stop(part) });
    return part;
  }

  /**
   * Starts a part and records it. A part that finishes starting after the parts began to stop is stopped at once
   * (it would outlive the others), and the start rejects.
   */
  async start<T>(
    name: string,
    start: () => Promise<T> | T,
    stop: (part: T) => Promise<void> | void,
  ): Promise<T> {
    if (this.#stopping !== undefined) throw new Error(`${name}: not started, the parts are stopping`);
    const part = await start();
    if (this.#stopping !== undefined) {
      await stop(part);
      throw new Error(`${name}: stopped at once, the parts are stopping`);
    }
    return this.add(name, part, stop);
  }

  /**
   * Stops every part, the last started first, each one even when an earlier stop failed; rejects with a `StopError`
   * naming what failed. Idempotent: a second call waits for the first.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const errors: Error[] = [];
      for (const part of this.#started.toReversed()) {
        try {
          await part.stop();
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          errors.push(new Error(`${part.name}: ${error.message}`, { cause: error }));
        }
      }
      if (errors.length === 1) throw errors[0]?.cause;
      if (errors.length > 1) throw new StopError(errors);
    })();
    return this.#stopping;
  }
}

/**
 * Runs `build` with a new set of parts. When it throws, the parts it had started are stopped (the last first) and
 * its error is rethrown, with any failure to stop them added to its message.
 */
export async function compose<T>(build: (parts: Parts) => Promise<T>): Promise<T> {
  const parts = new Parts();
  try {
    return await build(parts);
  } catch (err) {
    try {
      await parts.stop();
    } catch (stopErr) {
      if (err instanceof Error)
        err.message += ` (and stopping what had started failed: ${(stopErr as Error).message})`;
    }
    throw err;
  }
}
