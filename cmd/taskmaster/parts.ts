/**
 * A role's parts, started in order and stopped in reverse. Each part is added once it has started, with what stops
 * it; a start that fails stops what had started, so nothing is left behind (a connection, a timer, a server). A stop
 * that fails is reported and the others still stop.
 */

export interface Parts {
  /** Starts a part; once started, `stop` is what stops it. */
  start<T>(name: string, start: () => Promise<T> | T, stop: (part: T) => Promise<void> | void): Promise<T>;
  /** Stops every part started, the last first. Idempotent. */
  stop(): Promise<void>;
}

export function startingParts(onStopError: (name: string, error: Error) => void): Parts {
  const started: { readonly name: string; readonly stop: () => Promise<void> | void }[] = [];
  let stopping: Promise<void> | undefined;
  return {
    async start(name, start, stop) {
      if (stopping) throw new Error(`${name}: not started, the parts are stopping`);
      const part = await start();
      started.push({ name, stop: () => stop(part) });
      return part;
    },
    stop() {
      stopping ??= (async () => {
        for (const part of started.reverse()) {
          try {
            await part.stop();
          } catch (err) {
            onStopError(part.name, err instanceof Error ? err : new Error(String(err)));
          }
        }
      })();
      return stopping;
    },
  };
}
